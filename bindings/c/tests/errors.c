/* Result codes, names, the last-error message and its BUFFER_TOO_SMALL round-trip, versions. */
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

static void names_match_codes(void) {
    CHECK_STR(das_result_name(DAS_RESULT_OK), "DAS_RESULT_OK");
    CHECK_STR(das_result_name(DAS_RESULT_NULL_ARGUMENT), "DAS_RESULT_NULL_ARGUMENT");
    CHECK_STR(das_result_name(DAS_RESULT_INTERNAL), "DAS_RESULT_INTERNAL");
    CHECK_STR(das_result_name(12345), "DAS_RESULT_UNKNOWN");
    CHECK(DAS_RESULT_NULL_ARGUMENT == 100 && DAS_RESULT_NOT_READY == 200);
    CHECK(DAS_RESULT_IO == 300 && DAS_RESULT_PARSE == 400 && DAS_RESULT_PANIC == 900);
}

static void versions_agree(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", DAS_VERSION_MAJOR, DAS_VERSION_MINOR,
             DAS_VERSION_PATCH);
    CHECK_STR(das_version(), expected);
    CHECK(das_abi_version() == DAS_ABI_VERSION);
}

static void last_error_round_trip(void) {
    das_config *config = NULL;
    size_t written = 0;
    size_t needed = 0;
    char small[4] = {'x', 'x', 'x', 'x'};
    char *message;

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_last_error_message(small, sizeof small, &written), DAS_RESULT_OK);
    CHECK(written == 0 && small[0] == '\0');

    CHECK_RESULT(das_config_set_audio_channels(config, 7), DAS_RESULT_OUT_OF_RANGE);
    /* Size query: NULL buffer with length 0. */
    CHECK_RESULT(das_last_error_message(NULL, 0, &needed), DAS_RESULT_BUFFER_TOO_SMALL);
    CHECK(needed > 1);
    /* Too small: nothing copied, the needed size reported again, the message kept. */
    small[0] = 'x';
    CHECK_RESULT(das_last_error_message(small, sizeof small, &written), DAS_RESULT_BUFFER_TOO_SMALL);
    CHECK(written == needed && small[0] == 'x');

    message = (char *)malloc(needed);
    CHECK(message != NULL);
    if (message != NULL) {
        CHECK_RESULT(das_last_error_message(message, needed, &written), DAS_RESULT_OK);
        CHECK(written == needed - 1 && strlen(message) == written);
        CHECK_STR(message, "argument `channels` out of range: 7 is not 1 or 2");
        free(message);
    }
    /* A buffer but no `written`: refused, and the message is still the old one. */
    CHECK_RESULT(das_last_error_message(small, sizeof small, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_last_error_message(NULL, 8, &written), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_last_error_message(NULL, 0, &written), DAS_RESULT_BUFFER_TOO_SMALL);
    CHECK(written == needed);

    /* A success clears it. */
    CHECK_RESULT(das_config_set_audio_channels(config, 2), DAS_RESULT_OK);
    CHECK_RESULT(das_last_error_message(small, sizeof small, &written), DAS_RESULT_OK);
    CHECK(written == 0);
    das_config_free(config);
}

static void *fail_on_another_thread(void *unused) {
    (void)unused;
    CHECK_RESULT(das_config_new(NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_STR(check_last_error(), "argument `out` is NULL");
    return NULL;
}

static void messages_belong_to_their_thread(void) {
    das_config *config = NULL;
    pthread_t thread;

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_session_kind(config, 42), DAS_RESULT_INVALID_ENUM);
    CHECK(pthread_create(&thread, NULL, fail_on_another_thread, NULL) == 0);
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK_STR(check_last_error(), "argument `kind`: 42 is not a valid das_session_kind");
    das_config_free(config);
}

int main(void) {
    names_match_codes();
    versions_agree();
    last_error_round_trip();
    messages_belong_to_their_thread();
    CHECK_DONE("errors");
}
