/* Caller-driven mode against the emulator process: no libdas thread, the test's own thread runs
 * every session inside das_run and the blocking calls. A registration driven by das_run alone
 * (non-blocking start, frames pushed between runs, the result, a non-blocking close); nothing
 * moves while no call is inside libdas; the blocking calls drive the sessions while they wait;
 * and the mode's own misuse (asked for twice, das_run out of range). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "emulator_session.h"
#include "event_loop.h"
#include "wav_data.h"

#define SPEAKER_A "samples/speaker-a.wav"

/* Whether the descriptor polls readable within `timeout_ms`. */
static int readable(int fd, int timeout_ms) {
    struct pollfd ready;
    ready.fd = fd;
    ready.events = POLLIN;
    ready.revents = 0;
    return poll(&ready, 1, timeout_ms) == 1;
}

/* Runs libdas until the session has an event (at most `runs` × 100 ms): OK, or CLOSED. */
static das_result run_until_event(das_session *session, das_event **event, int runs) {
    das_result r = das_session_poll_event(session, 0, event);
    while (r == DAS_RESULT_TIMEOUT && runs-- > 0) {
        das_result ran = das_run(100);
        CHECK(ran == DAS_RESULT_OK || ran == DAS_RESULT_TIMEOUT);
        r = das_session_poll_event(session, 0, event);
    }
    return r;
}

/* A registration driven by das_run alone. Before the first das_run the start has not even
 * begun: nothing reaches the event descriptor however long one waits outside libdas. */
static void registration_driven_by_das_run(const emulator_process *emulator) {
    das_config *config = emulator_config(emulator, "c-driven-1", NULL);
    das_session *session = NULL;
    das_event *event = NULL;
    das_result r;
    size_t audio_len = 0, sent = 0;
    uint8_t *audio = wav_data(SPEAKER_A, &audio_len);
    int fd = -1, results = 0, events = 0, runs = 0;

    CHECK(audio != NULL);
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_event_fd(session, &fd), DAS_RESULT_OK);
    CHECK_RESULT(das_session_start_nonblocking(session), DAS_RESULT_OK);
    CHECK(!readable(fd, 300)); /* no libdas thread started it */

    CHECK_RESULT(run_until_event(session, &event, 300), DAS_RESULT_OK);
    CHECK(das_event_get_kind(event) == DAS_EVENT_KIND_STARTED);
    das_event_free(event);

    while (results == 0 && audio != NULL && runs++ < 3000) {
        push_what_fits(session, audio, audio_len, &sent);
        r = das_run(sent < audio_len ? 10 : 100);
        CHECK(r == DAS_RESULT_OK || r == DAS_RESULT_TIMEOUT);
        /* OK says an event was queued: the descriptor agrees. */
        if (r == DAS_RESULT_OK) CHECK(readable(fd, 0));
        r = take_pending(session, &events, &results);
        CHECK_RESULT(r, DAS_RESULT_TIMEOUT);
        if (r != DAS_RESULT_TIMEOUT) break;
    }
    CHECK(results == 1);
    CHECK(events >= 2);

    CHECK_RESULT(das_session_close_nonblocking(session), DAS_RESULT_OK);
    while ((r = run_until_event(session, &event, 100)) == DAS_RESULT_OK) das_event_free(event);
    CHECK_RESULT(r, DAS_RESULT_CLOSED);
    das_session_free(session);
    /* The disconnect finishes in later runs. */
    r = das_run(50);
    CHECK(r == DAS_RESULT_OK || r == DAS_RESULT_TIMEOUT);
    free(audio);
}

/* The blocking calls run the sessions while they wait: a start, a poll with a timeout that
 * takes every event to the result, a close. No das_run at all. */
static void blocking_calls_drive_while_they_wait(const emulator_process *emulator) {
    das_config *config = emulator_config(emulator, "c-driven-2", NULL);
    das_session *session = NULL;
    das_event *event = NULL;
    das_result r;
    size_t audio_len = 0;
    uint8_t *audio = wav_data(SPEAKER_A, &audio_len);
    int results = 0;

    CHECK(audio != NULL);
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_OK);
    if (audio != NULL) {
        /* Queued before the channel opens: the session's buffer holds it all. */
        CHECK_RESULT(das_session_push_audio(session, audio, audio_len), DAS_RESULT_OK);
        CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_OK);
    }
    while ((r = das_session_poll_event(session, 30000, &event)) == DAS_RESULT_OK) {
        if (das_event_get_kind(event) == DAS_EVENT_KIND_RESULT_SUCCESS) results++;
        das_event_free(event);
        if (results) break;
    }
    CHECK(results == 1);
    CHECK_RESULT(das_session_close(session), DAS_RESULT_OK);
    das_session_free(session);
    free(audio);
}

int main(void) {
    emulator_process emulator;
    CHECK_RESULT(das_run(0), DAS_RESULT_NOT_READY);
    CHECK(strstr(check_last_error(), "das_runtime_caller_driven") != NULL);
    CHECK_RESULT(das_runtime_caller_driven(), DAS_RESULT_OK);
    CHECK_RESULT(das_runtime_caller_driven(), DAS_RESULT_OK);
    CHECK_RESULT(das_run(DAS_MAX_TIMEOUT_MS + 1), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_run(0), DAS_RESULT_TIMEOUT);
    if (emulator_process_start(&emulator) != 0) return 1;
    registration_driven_by_das_run(&emulator);
    blocking_calls_drive_while_they_wait(&emulator);
    CHECK(emulator_process_stop(&emulator) == 0);
    CHECK_DONE("caller_driven");
}
