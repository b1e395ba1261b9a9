/* Minimal checks shared by the C tests; each test program includes it once. Compiles as C11 and
 * as C++17. */
#ifndef DAS_TEST_CHECK_H
#define DAS_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "das.h"

static int check_total = 0;
static int check_failed = 0;

/* The thread's last error message, for failure reports. */
static inline const char *check_last_error(void) {
    static char message[1024];
    size_t written = 0;
    if (das_last_error_message(message, sizeof message, &written) != DAS_RESULT_OK) {
        message[0] = '\0';
    }
    return message;
}

#define CHECK(cond)                                                                    \
    do {                                                                               \
        check_total++;                                                                 \
        if (!(cond)) {                                                                 \
            check_failed++;                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

#define CHECK_RESULT(expr, expected)                                                   \
    do {                                                                               \
        das_result check_got = (expr);                                                 \
        check_total++;                                                                 \
        if (check_got != (expected)) {                                                 \
            check_failed++;                                                            \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s (%s)\n", __FILE__,     \
                    __LINE__, #expr, das_result_name(check_got),                       \
                    das_result_name(expected), check_last_error());                    \
        }                                                                              \
    } while (0)

#define CHECK_STR(actual, expected) CHECK(strcmp((actual), (expected)) == 0)

#define CHECK_DONE(name)                                                               \
    do {                                                                               \
        printf("%s: %d checks, %d failed\n", (name), check_total, check_failed);      \
        return check_failed == 0 ? 0 : 1;                                              \
    } while (0)

#endif
