/* A program that uses an installed libdas the way its users' programs do: built through
 * pkg-config or through CMake (CMakeLists.txt beside it) against an installed prefix. It
 * checks that the library it runs with is the one its build system described: das_version()
 * equals EXPECTED_VERSION (pkg-config --modversion das, or CMake's das_VERSION) and the
 * header's version macros, and the ABI generations agree. Then one pure call: a webhook parse. */
#include <stdio.h>
#include <string.h>

#include "das.h"

#ifndef EXPECTED_VERSION
#error "build with -DEXPECTED_VERSION=\"X.Y.Z\" from the build system's view of libdas"
#endif

#define STR(x) #x
#define VERSION_OF(major, minor, patch) STR(major) "." STR(minor) "." STR(patch)

int main(void) {
    static const char body[] = "{\"job\": {\"id\": \"j-1\", \"status\": \"COMPLETED\"}, \"segments\": []}";
    const char *header_version = VERSION_OF(DAS_VERSION_MAJOR, DAS_VERSION_MINOR, DAS_VERSION_PATCH);
    das_webhook *webhook = NULL;
    das_result parsed;
    if (strcmp(das_version(), EXPECTED_VERSION) != 0 || strcmp(header_version, EXPECTED_VERSION) != 0) {
        fprintf(stderr, "libdas %s, header %s, build system %s\n", das_version(), header_version, EXPECTED_VERSION);
        return 1;
    }
    if (das_abi_version() != DAS_ABI_VERSION) {
        fprintf(stderr, "libdas ABI %u, header %u\n", das_abi_version(), DAS_ABI_VERSION);
        return 1;
    }
    parsed = das_webhook_parse((const uint8_t *)body, sizeof body - 1, &webhook);
    das_webhook_free(webhook);
    if (parsed != DAS_RESULT_OK) {
        fprintf(stderr, "das_webhook_parse: %s\n", das_result_name(parsed));
        return 1;
    }
    printf("libdas %s\n", das_version());
    return 0;
}
