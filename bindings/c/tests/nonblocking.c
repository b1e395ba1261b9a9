/* The event-loop calls against the emulator process: das_session_start_nonblocking completing
 * through the event descriptor (a registration driven by poll alone, no blocking call), failing
 * on refused credentials (the AUTH code and message das_session_start returns reach the loop
 * as a START_FAILED event), cancelled by a close while the token endpoint hangs, and
 * das_session_close_nonblocking then das_session_free at once on a running session, and
 * caller-driven mode refused once libdas's thread runs. The times of the closes are printed,
 * not asserted. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "emulator_session.h"
#include "event_loop.h"
#include "silent_listener.h"
#include "wav_data.h"

#define SPEAKER_A "samples/speaker-a.wav"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Whether the descriptor polls readable within `timeout_ms`. */
static int readable(int fd, int timeout_ms) {
    struct pollfd ready;
    ready.fd = fd;
    ready.events = POLLIN;
    ready.revents = 0;
    return poll(&ready, 1, timeout_ms) == 1;
}

/* The next event once the descriptor wakes (at most 30 s): OK, or CLOSED once the queue ended. */
static das_result next_event(das_session *session, int fd, das_event **event) {
    das_result r = das_session_poll_event(session, 0, event);
    while (r == DAS_RESULT_TIMEOUT && readable(fd, 30000)) r = das_session_poll_event(session, 0, event);
    return r;
}

/* Makes a session from `config` (freed), starts it without blocking and takes its first event
 * through the descriptor (*fd). */
static das_session *start_in_loop(das_config *config, int *fd, das_event **first) {
    das_session *session = NULL;
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_event_fd(session, fd), DAS_RESULT_OK);
    CHECK_RESULT(das_session_start_nonblocking(session), DAS_RESULT_OK);
    CHECK_RESULT(next_event(session, *fd, first), DAS_RESULT_OK);
    return session;
}

static void json_contains(const das_event *event, const char *text) {
    const char *json = NULL;
    size_t len = 0;
    CHECK_RESULT(das_event_json(event, &json, &len), DAS_RESULT_OK);
    CHECK(json != NULL && strstr(json, text) != NULL);
}

/* A registration driven by the descriptor alone: the start, the frames pushed whenever there
 * is room, the result, a non-blocking close. */
static void start_completes_through_the_fd(const emulator_process *emulator) {
    das_event *event = NULL;
    das_result r;
    size_t audio_len = 0, sent = 0;
    uint8_t *audio = wav_data(SPEAKER_A, &audio_len);
    int fd = -1, results = 0, events = 0;
    const uint8_t byte = 0xff;

    das_session *session = start_in_loop(emulator_config(emulator, "c-nonblocking-1", NULL), &fd, &event);

    CHECK(audio != NULL);
    CHECK(das_event_get_kind(event) == DAS_EVENT_KIND_STARTED);
    CHECK_RESULT(das_session_start_nonblocking(session), DAS_RESULT_ALREADY_STARTED);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_ALREADY_STARTED);
    json_contains(event, "\"event\":\"started\"");
    json_contains(event, "\"call_id\":\"c-nonblocking-1\"");
    {
        das_result code = DAS_RESULT_OK;
        CHECK_RESULT(das_event_start_result(event, &code), DAS_RESULT_NOT_PRESENT);
    }
    das_event_free(event);

    /* Started: pushes are taken. The loop pushes while there is room, then waits on the
     * descriptor (10 ms at most while audio is left, for the buffer to drain). */
    while (results == 0 && audio != NULL) {
        push_what_fits(session, audio, audio_len, &sent);
        if (!readable(fd, sent < audio_len ? 10 : 30000)) {
            if (sent < audio_len) continue;
            CHECK(false); /* nothing for 30 s */
            break;
        }
        r = take_pending(session, &events, &results);
        CHECK_RESULT(r, DAS_RESULT_TIMEOUT);
        if (r != DAS_RESULT_TIMEOUT) break;
    }
    CHECK(results == 1);
    CHECK(events >= 2);

    CHECK_RESULT(das_session_close_nonblocking(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_close_nonblocking(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_push_audio(session, &byte, 1), DAS_RESULT_CLOSED);
    while ((r = next_event(session, fd, &event)) == DAS_RESULT_OK) das_event_free(event);
    CHECK_RESULT(r, DAS_RESULT_CLOSED);
    CHECK(readable(fd, 0));
    CHECK_RESULT(das_session_close(session), DAS_RESULT_OK);
    das_session_free(session);
    free(audio);
}

/* Refused credentials: the code and message of the blocking start reach the loop. */
static void failed_start_reaches_the_loop(const emulator_process *emulator) {
    char blocking_message[512];
    das_config *config = emulator_config(emulator, "c-nonblocking-2", NULL);
    das_session *session = NULL;
    das_event *event = NULL;
    das_result code = DAS_RESULT_OK;
    const char *message = NULL;
    size_t len = 0;
    int fd = -1;

    das_config_set_client_credentials(config, emulator_string(emulator, "client_id"), DAS_NUL_TERMINATED,
                                      "wrong-secret", DAS_NUL_TERMINATED);
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_AUTH);
    snprintf(blocking_message, sizeof blocking_message, "%s", check_last_error());
    das_session_free(session);

    session = start_in_loop(config, &fd, &event);
    CHECK(das_event_get_kind(event) == DAS_EVENT_KIND_START_FAILED);
    CHECK_RESULT(das_event_start_result(event, &code), DAS_RESULT_OK);
    CHECK_RESULT(code, DAS_RESULT_AUTH);
    CHECK_RESULT(das_event_message(event, &message, &len), DAS_RESULT_OK);
    CHECK(message != NULL && strcmp(message, blocking_message) == 0);
    CHECK(strlen(blocking_message) > 0 && strstr(blocking_message, "wrong-secret") == NULL);
    json_contains(event, "\"result\":\"DAS_RESULT_AUTH\"");
    CHECK_RESULT(das_event_start_result(event, NULL), DAS_RESULT_NULL_ARGUMENT);
    das_event_free(event);
    CHECK_RESULT(das_session_poll_event(session, 0, &event), DAS_RESULT_CLOSED);
    CHECK_RESULT(das_session_start_nonblocking(session), DAS_RESULT_CLOSED);
    das_session_free(session);
}

/* A token endpoint that takes the connection and never answers: the start is under way until
 * das_session_close cancels it; no outcome event is queued. */
static void close_cancels_a_nonblocking_start(void) {
    unsigned short port = 0;
    int listener = silent_listener(&port), fd = -1;
    char token_url[64];
    das_config *config = NULL;
    das_session *session = NULL;
    das_event *event = NULL;
    const uint8_t byte = 0xff;
    double closing;

    snprintf(token_url, sizeof token_url, "http://127.0.0.1:%u/token", (unsigned)port);
    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    das_config_set_endpoint_url(config, "http://127.0.0.1:1", DAS_NUL_TERMINATED);
    das_config_set_token_url(config, token_url, DAS_NUL_TERMINATED);
    das_config_set_client_credentials(config, "id", 2, "secret", 6);
    das_config_set_timeout_ms(config, DAS_TIMEOUT_TOKEN, 60000);
    das_config_set_session_kind(config, DAS_SESSION_KIND_REGISTER);
    das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, "c-1", 3);
    das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_TWILIO);
    das_config_set_audio_url(config, "ws://127.0.0.1:1/twilio", DAS_NUL_TERMINATED);
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_event_fd(session, &fd), DAS_RESULT_OK);
    CHECK_RESULT(das_session_start_nonblocking(session), DAS_RESULT_OK);

    /* Starting: polls time out, pushes are not ready yet. */
    CHECK(readable(listener, 30000)); /* the token request is in flight */
    CHECK(!readable(fd, 0));
    CHECK_RESULT(das_session_poll_event(session, 0, &event), DAS_RESULT_TIMEOUT);
    CHECK_RESULT(das_session_push_audio(session, &byte, 1), DAS_RESULT_NOT_READY);
    CHECK(strstr(check_last_error(), "DAS_EVENT_KIND_STARTED") != NULL);
    CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_NOT_READY);

    closing = now_ms();
    CHECK_RESULT(das_session_close(session), DAS_RESULT_OK);
    printf("nonblocking: das_session_close of a start waiting for its token took %.1f ms\n", now_ms() - closing);
    CHECK(readable(fd, 0));
    CHECK_RESULT(das_session_poll_event(session, 0, &event), DAS_RESULT_CLOSED);
    CHECK(event == NULL);
    CHECK_RESULT(das_session_start_nonblocking(session), DAS_RESULT_CLOSED);
    das_session_free(session);
    close(listener);
}

/* A non-blocking close then a free at once, on a session that is running: both return without
 * the disconnect, which the runtime finishes (bounded by the close timeout). Beside it, the
 * time a blocking close of a running session takes. */
static void nonblocking_close_then_free_at_once(const emulator_process *emulator) {
    das_event *event = NULL;
    const uint8_t byte = 0xff;
    int fd = -1;
    das_session *session = start_in_loop(emulator_config(emulator, "c-nonblocking-3", NULL), &fd, &event);
    double closing;

    CHECK(das_event_get_kind(event) == DAS_EVENT_KIND_STARTED);
    das_event_free(event);
    closing = now_ms();
    CHECK_RESULT(das_session_close(session), DAS_RESULT_OK);
    printf("nonblocking: das_session_close of a running session took %.3f ms\n", now_ms() - closing);
    das_session_free(session);

    session = start_in_loop(emulator_config(emulator, "c-nonblocking-4", NULL), &fd, &event);
    CHECK(das_event_get_kind(event) == DAS_EVENT_KIND_STARTED);
    das_event_free(event);
    CHECK_RESULT(das_session_push_audio(session, &byte, 1), DAS_RESULT_OK);

    closing = now_ms();
    CHECK_RESULT(das_session_close_nonblocking(session), DAS_RESULT_OK);
    printf("nonblocking: das_session_close_nonblocking of a running session took %.3f ms\n", now_ms() - closing);
    CHECK(readable(fd, 0));
    CHECK_RESULT(das_session_push_audio(session, &byte, 1), DAS_RESULT_CLOSED);
    while (das_session_poll_event(session, 0, &event) == DAS_RESULT_OK) das_event_free(event);
    CHECK_RESULT(das_session_poll_event(session, 0, &event), DAS_RESULT_CLOSED);
    closing = now_ms();
    das_session_free(session);
    printf("nonblocking: das_session_free after it took %.3f ms\n", now_ms() - closing);
}

int main(void) {
    emulator_process emulator;
    if (emulator_process_start(&emulator) != 0) return 1;
    start_completes_through_the_fd(&emulator);
    failed_start_reaches_the_loop(&emulator);
    close_cancels_a_nonblocking_start();
    nonblocking_close_then_free_at_once(&emulator);
    /* libdas's thread runs these sessions: too late to ask for caller-driven mode. */
    CHECK_RESULT(das_runtime_caller_driven(), DAS_RESULT_ALREADY_STARTED);
    CHECK_RESULT(das_run(0), DAS_RESULT_NOT_READY);
    CHECK(emulator_process_stop(&emulator) == 0);
    CHECK_DONE("nonblocking");
}
