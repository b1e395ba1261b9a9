/* Misuse must give typed errors, never crashes or leaks: NULL everywhere, free(NULL), double
 * free, invalid enum integers, lengths beyond the limit, invalid UTF-8, output buffers larger or
 * smaller than needed. */
#include <math.h>
#include <stdint.h>

#include "check.h"

static void nulls_everywhere(void) {
    das_config *config = NULL;
    char buf[16];
    size_t written = 0;
    uint32_t ms = 0;

    CHECK_RESULT(das_config_new(NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK(strstr(check_last_error(), "`out`") != NULL);
    CHECK_RESULT(das_config_set_endpoint_url(NULL, "https://x", DAS_NUL_TERMINATED), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_set_session_kind(NULL, DAS_SESSION_KIND_REGISTER), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_validate(NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_set_event_queue_bytes(NULL, 1 << 20), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_to_json(NULL, buf, sizeof buf, &written), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_get_timeout_ms(NULL, DAS_TIMEOUT_READY, &ms), DAS_RESULT_NULL_ARGUMENT);

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_endpoint_url(config, NULL, 0), DAS_RESULT_NULL_ARGUMENT);
    CHECK(strstr(check_last_error(), "`url`") != NULL);
    CHECK_RESULT(das_config_set_client_credentials(config, "id", 2, NULL, 3), DAS_RESULT_NULL_ARGUMENT);
    CHECK(strstr(check_last_error(), "`client_secret`") != NULL);
    CHECK_RESULT(das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, NULL, 0), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_get_timeout_ms(config, DAS_TIMEOUT_READY, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_to_json(config, buf, sizeof buf, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_to_json(config, NULL, sizeof buf, &written), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_set_log_callback(NULL, NULL), DAS_RESULT_OK);
    das_config_free(config);
}

static void frees(void) {
    das_config *config = NULL;
    das_config *other = NULL;

    das_config_free(NULL);
    CHECK_STR(check_last_error(), "");

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_STR(check_last_error(), "");
    /* A second free is detected by address and ignored, never dereferenced. */
    das_config_free(config);
    CHECK(strstr(check_last_error(), "not a live das_config") != NULL);
    CHECK_RESULT(das_config_set_audio_channels(config, 1), DAS_RESULT_INVALID_HANDLE);

    /* A pointer that was never a handle. */
    CHECK_RESULT(das_config_new(&other), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate((das_config *)((char *)other + 1)), DAS_RESULT_INVALID_HANDLE);
    das_config_free(other);
}

static void invalid_enums(void) {
    das_config *config = NULL;
    uint32_t ms = 0;
    size_t written = 0;
    char buf[8];

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_session_kind(config, 0), DAS_RESULT_INVALID_ENUM);
    CHECK_STR(check_last_error(), "argument `kind`: 0 is not a valid das_session_kind");
    CHECK_RESULT(das_config_set_session_kind(config, UINT32_MAX), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_config_set_audio_protocol(config, 3), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_config_set_audio_codec(config, 0), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_config_set_metadata(config, 8, "x", 1), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_config_get_metadata(config, 0, buf, sizeof buf, &written), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_config_set_timeout_ms(config, 6, 1000), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_config_get_timeout_ms(config, 0, &ms), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_config_set_log_level(config, 6), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_set_log_level(1000), DAS_RESULT_INVALID_ENUM);
    das_config_free(config);
}

static void bad_strings_and_values(void) {
    das_config *config = NULL;
    const char invalid_utf8[] = {'a', (char)0xff, (char)0xfe, 'b'};
    const char tiny[] = "x";

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_model_hash(config, invalid_utf8, sizeof invalid_utf8), DAS_RESULT_INVALID_UTF8);
    CHECK_RESULT(das_config_set_model_hash(config, invalid_utf8, DAS_NUL_TERMINATED), DAS_RESULT_INVALID_UTF8);
    /* A length past DAS_MAX_STRING_LEN is refused before a single byte is read. */
    CHECK_RESULT(das_config_set_model_hash(config, tiny, (size_t)DAS_MAX_STRING_LEN + 1), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_model_hash(config, tiny, SIZE_MAX - 1), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_model_hash(config, tiny, 0), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_endpoint_url(config, "ftp://x", DAS_NUL_TERMINATED), DAS_RESULT_PARSE);
    CHECK_RESULT(das_config_set_endpoint_url(config, "https://ok.example/x", 6), DAS_RESULT_PARSE);
    CHECK_RESULT(das_config_set_audio_url(config, "https://x.example", DAS_NUL_TERMINATED), DAS_RESULT_PARSE);
    CHECK_RESULT(das_config_set_authorization(config, "Bearer a\r\nX: y", DAS_NUL_TERMINATED), DAS_RESULT_PARSE);
    CHECK_RESULT(das_config_set_extra_json(config, "[1,2]", DAS_NUL_TERMINATED), DAS_RESULT_PARSE);
    CHECK(strstr(check_last_error(), "JSON object") != NULL);
    CHECK_RESULT(das_config_set_extra_json(config, "{\"a\":", DAS_NUL_TERMINATED), DAS_RESULT_PARSE);
    CHECK_RESULT(das_config_set_namespace(config, "register", DAS_NUL_TERMINATED), DAS_RESULT_PARSE);
    CHECK_RESULT(das_config_set_audiohook_credentials(config, "k", 1, "not base64!", DAS_NUL_TERMINATED), DAS_RESULT_PARSE);
    CHECK_RESULT(das_config_set_authenticity_threshold(config, -0.1), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_authenticity_threshold(config, NAN), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_audio_total_duration(config, 0.0), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_audio_sample_rate(config, 7999), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_audio_channels(config, 0), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_timeout_ms(config, DAS_TIMEOUT_CONNECT, 0), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_timeout_ms(config, DAS_TIMEOUT_CONNECT, 3600001), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_audio_buffer_bytes(config, SIZE_MAX), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_event_queue_capacity(config, 0), DAS_RESULT_OUT_OF_RANGE);
    das_config_free(config);
}

static void output_buffers(void) {
    das_config *config = NULL;
    char big[256];
    char exact[5];
    size_t written = 0;

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    /* Larger than needed: the NUL ends the string and nothing after it is touched. */
    memset(big, 'z', sizeof big);
    CHECK_RESULT(das_config_get_metadata(config, DAS_METADATA_FIELD_AUDIO_CODEC, big, sizeof big, &written), DAS_RESULT_OK);
    CHECK(written == 5 && strcmp(big, "mulaw") == 0 && big[6] == 'z' && big[255] == 'z');
    /* One byte short of the NUL: too small, untouched, needed size reported. */
    memset(exact, 'z', sizeof exact);
    CHECK_RESULT(das_config_get_metadata(config, DAS_METADATA_FIELD_AUDIO_CODEC, exact, sizeof exact, &written), DAS_RESULT_BUFFER_TOO_SMALL);
    CHECK(written == 6 && exact[0] == 'z');
    /* An unset call_id has no value. */
    CHECK_RESULT(das_config_get_metadata(config, DAS_METADATA_FIELD_CALL_ID, big, sizeof big, &written), DAS_RESULT_NOT_READY);
    das_config_free(config);
}

int main(void) {
    nulls_everywhere();
    frees();
    invalid_enums();
    bad_strings_and_values();
    output_buffers();
    CHECK_DONE("misuse");
}
