/* The configuration builder used as documented: every setter, the initialize payload, the
 * redacted description and validation. */
#include "check.h"

#define SECRET "client-s3cr3t"
#define TOKEN "Bearer tok3n-value"
#define AH_SECRET "TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU="
/* A valid PEM root (tests/fixtures/tls/README.md says how it was made). */
#define TEST_ROOT_PEM_FILE "tests/fixtures/tls/test-root.pem"

static void documented_register_payload(void) {
    das_config *config = NULL;
    char json[2048];
    size_t written = 0;
    uint32_t ms = 0;
    const char *call_id = "888806c3-3391-4d73-bb86-e5874e6ed5b4 and trailing bytes not passed";

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_endpoint_url(config, "https://streaming.example/", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_token_url(config, "https://auth.example/token", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_client_credentials(config, "client", 6, SECRET, strlen(SECRET)), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_namespace(config, "/", 1), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_session_kind(config, DAS_SESSION_KIND_REGISTER), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, call_id, 36), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_authenticity_threshold(config, 0.8), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_total_duration(config, 5.0), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_model_hash(config, "<MODEL_HASH>", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_AUDIOHOOK), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_url(config, "ws://127.0.0.1:9/audiohook", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_codec(config, DAS_AUDIO_CODEC_MULAW), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_sample_rate(config, 8000), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_channels(config, 1), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audiohook_credentials(config, "api-key", DAS_NUL_TERMINATED, AH_SECRET, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_timeout_ms(config, DAS_TIMEOUT_READY, 1500), DAS_RESULT_OK);
    CHECK_RESULT(das_config_get_timeout_ms(config, DAS_TIMEOUT_READY, &ms), DAS_RESULT_OK);
    CHECK(ms == 1500);
    CHECK_RESULT(das_config_get_timeout_ms(config, DAS_TIMEOUT_CONNECT, &ms), DAS_RESULT_OK);
    CHECK(ms == 10000);
    CHECK_RESULT(das_config_set_audio_buffer_bytes(config, 65536), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_event_queue_capacity(config, 64), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_event_queue_bytes(config, 1 << 20), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_log_level(config, DAS_LOG_LEVEL_DEBUG), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_OK);
    /* AudioHook carries µ-law or L16: A-law is refused before any connection. */
    CHECK_RESULT(das_config_set_audio_codec(config, DAS_AUDIO_CODEC_ALAW), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_PARSE);
    CHECK_RESULT(das_last_error_message(json, sizeof json, &written), DAS_RESULT_OK);
    CHECK(strstr(json, "A-law") != NULL);
    CHECK_RESULT(das_config_set_audio_codec(config, DAS_AUDIO_CODEC_MULAW), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_OK);

    CHECK_RESULT(das_config_get_metadata(config, DAS_METADATA_FIELD_SAMPLE_RATE, json, sizeof json, &written), DAS_RESULT_OK);
    CHECK_STR(json, "8000");
    CHECK(written == 4);

    CHECK_RESULT(das_config_initialize_json(config, json, sizeof json, &written), DAS_RESULT_OK);
    /* Key order depends on serde_json features, so check each member. */
    CHECK(strncmp(json, "{\"", 2) == 0);
    CHECK(strstr(json, "\"audio_protocol\":\"audiohook\"") != NULL);
    CHECK(strstr(json, "\"audio_format\":\"raw\"") != NULL);
    CHECK(strstr(json, "\"audio_codec\":\"mulaw\"") != NULL);
    CHECK(strstr(json, "\"sample_format\":\"\"") != NULL);
    CHECK(strstr(json, "\"sample_rate\":\"8000\"") != NULL);
    CHECK(strstr(json, "\"channels\":\"1\"") != NULL);
    CHECK(strstr(json, "\"call_id\":\"888806c3-3391-4d73-bb86-e5874e6ed5b4\"") != NULL);
    CHECK(strstr(json, "\"register_request\":{") != NULL);
    CHECK(strstr(json, "\"authenticity_threshold\":0.8") != NULL);
    CHECK(strstr(json, "\"audio_total_duration\":5.0") != NULL);
    CHECK(strstr(json, "\"model_hash\":\"<MODEL_HASH>\"") != NULL);
    CHECK(strlen(json) == written);

    CHECK_RESULT(das_config_set_extra_json(config, "{\"tenant\":\"t1\",\"model_hash\":\"m2\"}", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_initialize_json(config, json, sizeof json, &written), DAS_RESULT_OK);
    CHECK(strstr(json, "\"model_hash\":\"m2\"") != NULL);
    CHECK(strstr(json, "\"tenant\":\"t1\"") != NULL);

    CHECK_RESULT(das_config_to_json(config, json, sizeof json, &written), DAS_RESULT_OK);
    CHECK(strstr(json, "\"client_id\":\"client\"") != NULL);
    CHECK(strstr(json, "\"ready\":1500") != NULL);
    CHECK(strstr(json, SECRET) == NULL);
    CHECK(strstr(json, AH_SECRET) == NULL);
    CHECK(strstr(json, "<redacted>") != NULL);

    CHECK_RESULT(das_config_set_authorization(config, TOKEN, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_to_json(config, json, sizeof json, &written), DAS_RESULT_OK);
    CHECK(strstr(json, "tok3n") == NULL);
    das_config_free(config);
}

static void verify_needs_a_credential(void) {
    das_config *config = NULL;
    char json[1024];
    size_t written = 0;

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_NOT_READY);
    CHECK(strstr(check_last_error(), "endpoint URL") != NULL);
    CHECK_RESULT(das_config_initialize_json(config, json, sizeof json, &written), DAS_RESULT_NOT_READY);
    CHECK_RESULT(das_config_set_session_kind(config, DAS_SESSION_KIND_VERIFY), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_endpoint_url(config, "wss://x.example", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_authorization(config, "Bearer t", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, "c1", 2), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_TWILIO), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_url(config, "wss://audio.example", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_NOT_READY);
    CHECK(strstr(check_last_error(), "credential") != NULL);
    CHECK_RESULT(das_config_set_credential(config, "cred", 4), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_OK);
    /* AudioHook sends call_id as its UUID conversationId: "c1" is refused before any connection. */
    CHECK_RESULT(das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_AUDIOHOOK), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_PARSE);
    CHECK(strstr(check_last_error(), "needs a UUID") != NULL);
    CHECK_RESULT(das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_TWILIO), DAS_RESULT_OK);
    /* An id with an embedded NUL would read differently as a C string: refused, not truncated. */
    CHECK_RESULT(das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, "c1\0ab", 5), DAS_RESULT_PARSE);
    CHECK(strstr(check_last_error(), "NUL") != NULL);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_initialize_json(config, json, sizeof json, &written), DAS_RESULT_OK);
    CHECK(strstr(json, "\"verify_request\":{\"credential\":\"cred\"}") != NULL);
    CHECK(strstr(json, "\"audio_protocol\":\"twilio\"") != NULL);
    das_config_free(config);
}

static void extra_trusted_roots_are_checked_when_added(void) {
    das_config *config = NULL;
    char json[2048];
    char pem[4096];
    size_t written = 0;
    FILE *file = fopen(TEST_ROOT_PEM_FILE, "rb");
    size_t pem_len = 0;

    CHECK(file != NULL);
    if (file == NULL) {
        return;
    }
    pem_len = fread(pem, 1, sizeof pem, file);
    fclose(file);
    CHECK(pem_len > 0 && pem_len < sizeof pem);

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_add_trusted_root_pem(config, "not a certificate", DAS_NUL_TERMINATED), DAS_RESULT_PARSE);
    CHECK(strstr(check_last_error(), "pem") != NULL);
    CHECK_RESULT(das_config_add_trusted_root_pem(config, NULL, 4), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_to_json(config, json, sizeof json, &written), DAS_RESULT_OK);
    CHECK(strstr(json, "\"tls\":{\"trusted_roots\":\"both\",\"extra_roots\":0}") != NULL);
    CHECK_RESULT(das_config_add_trusted_root_pem(config, pem, pem_len), DAS_RESULT_OK);
    CHECK_RESULT(das_config_to_json(config, json, sizeof json, &written), DAS_RESULT_OK);
    CHECK(strstr(json, "\"tls\":{\"trusted_roots\":\"both\",\"extra_roots\":1}") != NULL);
    das_config_free(config);
}

int main(void) {
    documented_register_payload();
    extra_trusted_roots_are_checked_when_added();
    verify_needs_a_credential();
    CHECK_DONE("config");
}
