/* Session and event misuse without a server: calls before start, a failed start (blocking and
 * not), calls after close, NULL arguments, stale handles. Every one gets a typed result, nothing crashes or leaks. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"

/* A complete configuration whose endpoints refuse connections (port 1 on loopback). */
static das_config *unreachable_config(void) {
    das_config *config = NULL;
    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_endpoint_url(config, "http://127.0.0.1:1", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_authorization(config, "Bearer t", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_session_kind(config, DAS_SESSION_KIND_REGISTER), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, "c-1", 3), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_TWILIO), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_url(config, "ws://127.0.0.1:1/twilio", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_timeout_ms(config, DAS_TIMEOUT_CONNECT, 2000), DAS_RESULT_OK);
    return config;
}

static void new_needs_a_complete_config(void) {
    das_config *config = NULL;
    das_session *session = NULL;
    CHECK_RESULT(das_session_new(NULL, &session), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_session_new(config, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_NOT_READY);
    CHECK(strstr(check_last_error(), "endpoint URL") != NULL);
    CHECK(session == NULL);
    das_config_free(config);
}

static void before_start(void) {
    das_config *config = unreachable_config();
    das_session *session = NULL;
    das_event *event = NULL;
    const char *call_id = NULL;
    size_t len = 0;
    int fd = -1;
    const uint8_t audio[4] = {0xff, 0xff, 0xff, 0xff};

    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config); /* the session keeps its own copy */
    CHECK_RESULT(das_session_call_id(session, &call_id, &len), DAS_RESULT_OK);
    CHECK_STR(call_id, "c-1");
    CHECK(len == 3);
    CHECK_RESULT(das_session_event_fd(session, &fd), DAS_RESULT_OK);
    CHECK(fd >= 0);
    CHECK_RESULT(das_session_push_audio(session, audio, sizeof audio), DAS_RESULT_NOT_READY);
    CHECK(strstr(check_last_error(), "das_session_start") != NULL);
    CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_NOT_READY);
    CHECK_RESULT(das_session_poll_event(session, 0, &event), DAS_RESULT_NOT_READY);
    CHECK_RESULT(das_session_push_audio(session, NULL, 4), DAS_RESULT_NULL_ARGUMENT);
    /* NULL with no bytes is an empty push (an empty C++ vector's data()): refused here only
     * for the session's state. */
    CHECK_RESULT(das_session_push_audio(session, NULL, 0), DAS_RESULT_NOT_READY);
    CHECK_RESULT(das_session_poll_event(session, 0, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_session_poll_event(session, UINT32_MAX, &event), DAS_RESULT_OUT_OF_RANGE);
    CHECK(strstr(check_last_error(), "DAS_MAX_TIMEOUT_MS") != NULL);
    CHECK_RESULT(das_session_event_fd(session, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_session_call_id(session, NULL, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_session_push_wav(session, NULL, 0), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_session_push_wav(session, "\xff.wav", DAS_NUL_TERMINATED), DAS_RESULT_INVALID_UTF8);

    /* Closed before it started: nothing to disconnect, everything after is CLOSED. */
    CHECK_RESULT(das_session_close(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_close(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_close_nonblocking(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_CLOSED);
    CHECK_RESULT(das_session_start_nonblocking(session), DAS_RESULT_CLOSED);
    CHECK_RESULT(das_session_poll_event(session, 5000, &event), DAS_RESULT_CLOSED);
    CHECK_RESULT(das_session_push_audio(session, audio, sizeof audio), DAS_RESULT_CLOSED);
    CHECK(event == NULL);
    das_session_free(session);
}

static void failed_start_closes_the_session(void) {
    das_config *config = unreachable_config();
    das_session *session = NULL;
    das_event *event = NULL;
    das_result started;
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    started = das_session_start(session);
    CHECK(started == DAS_RESULT_IO || started == DAS_RESULT_CONNECT_REFUSED || started == DAS_RESULT_TIMEOUT);
    CHECK(strstr(check_last_error(), "session start failed") != NULL);
    CHECK_RESULT(das_session_poll_event(session, 0, &event), DAS_RESULT_CLOSED);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_CLOSED);
    CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_CLOSED);
    das_session_free(session);
}

/* A non-blocking start that fails: its code reaches the queue as a START_FAILED event, then
 * the queue ends; a non-blocking close afterwards changes nothing. */
static void failed_nonblocking_start_is_an_event(void) {
    das_config *config = unreachable_config();
    das_session *session = NULL;
    das_event *event = NULL;
    das_result code = DAS_RESULT_OK;
    const char *text = NULL;
    size_t len = 0;
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_start_nonblocking(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_poll_event(session, 10000, &event), DAS_RESULT_OK);
    CHECK(das_event_get_kind(event) == DAS_EVENT_KIND_START_FAILED);
    CHECK(das_event_is_final(event));
    CHECK_RESULT(das_event_name(event, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "start-failed");
    CHECK_RESULT(das_event_start_result(event, &code), DAS_RESULT_OK);
    CHECK(code == DAS_RESULT_IO || code == DAS_RESULT_CONNECT_REFUSED || code == DAS_RESULT_TIMEOUT);
    CHECK_RESULT(das_event_message(event, &text, &len), DAS_RESULT_OK);
    CHECK(strstr(text, "session start failed") != NULL);
    CHECK_RESULT(das_event_reason(event, &text, &len), DAS_RESULT_NOT_PRESENT);
    das_event_free(event);
    CHECK_RESULT(das_session_poll_event(session, 0, &event), DAS_RESULT_CLOSED);
    CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_CLOSED);
    CHECK_RESULT(das_session_close_nonblocking(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_poll_event(session, 0, &event), DAS_RESULT_CLOSED);
    das_session_free(session);
}

/* A token endpoint that refuses connections is a network failure (IO), not refused
 * credentials (AUTH), and the message keeps the OS's reason. */
static void an_unreachable_token_endpoint_is_io(void) {
    das_config *config = unreachable_config();
    das_session *session = NULL;
    CHECK_RESULT(das_config_set_token_url(config, "http://127.0.0.1:1/token", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_client_credentials(config, "id", 2, "secret", 6), DAS_RESULT_OK);
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_IO);
    CHECK(strstr(check_last_error(), "Connection refused") != NULL);
    das_session_free(session);
}

static void stale_and_null_handles(void) {
    das_config *config = unreachable_config();
    das_session *session = NULL;
    const char *text = NULL;
    size_t len = 0;
    double value = 0;
    bool flag = false;
    das_result code = DAS_RESULT_OK;

    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    das_session_free(session);
    CHECK_STR(check_last_error(), "");
    das_session_free(session);
    CHECK(strstr(check_last_error(), "not a live das_session") != NULL);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_INVALID_HANDLE);
    CHECK_RESULT(das_session_start_nonblocking(session), DAS_RESULT_INVALID_HANDLE);
    CHECK_RESULT(das_session_close_nonblocking(session), DAS_RESULT_INVALID_HANDLE);
    CHECK_RESULT(das_session_close(NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_session_start_nonblocking(NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_session_close_nonblocking(NULL), DAS_RESULT_NULL_ARGUMENT);
    das_session_free(NULL);

    /* A config pointer is not a session, and the other way round. */
    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_session_start((das_session *)config), DAS_RESULT_INVALID_HANDLE);
    das_config_free(config);

    CHECK(das_event_get_kind(NULL) == DAS_EVENT_KIND_INVALID);
    CHECK(strstr(check_last_error(), "`event` is NULL") != NULL);
    CHECK(!das_event_is_final(NULL));
    CHECK(strstr(check_last_error(), "`event` is NULL") != NULL);
    CHECK_RESULT(das_event_name(NULL, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_event_json(NULL, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_event_vad_percentage(NULL, &value), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_event_credential(NULL, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_event_before_result(NULL, &flag), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_event_start_result(NULL, &code), DAS_RESULT_NULL_ARGUMENT);
    das_event_free(NULL);
    CHECK_STR(check_last_error(), "");
}

static void new_settings_are_checked(void) {
    das_config *config = NULL;
    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_pacing(config, 0), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_config_set_audio_pacing(config, 3), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_config_set_audio_pacing(config, DAS_AUDIO_PACING_AS_FAST_AS_POSSIBLE), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audiohook_organization_id(config, "not-a-uuid", DAS_NUL_TERMINATED), DAS_RESULT_PARSE);
    CHECK_RESULT(das_config_set_audiohook_organization_id(config, "d7934305-0972-4844-938e-9060eef73d05",
                                                          DAS_NUL_TERMINATED),
                 DAS_RESULT_OK);
    das_config_free(config);
}

int main(void) {
    new_needs_a_complete_config();
    before_start();
    failed_start_closes_the_session();
    failed_nonblocking_start_is_an_event();
    an_unreachable_token_endpoint_is_io();
    stale_and_null_handles();
    new_settings_are_checked();
    CHECK_DONE("session_misuse");
}
