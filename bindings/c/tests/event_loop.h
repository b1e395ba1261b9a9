/* What the C event-loop tests share: audio pushed while the session takes it, and the events
 * pending after a wake-up. Include after check.h and das.h. */
#ifndef DAS_TEST_EVENT_LOOP_H
#define DAS_TEST_EVENT_LOOP_H

#include <stddef.h>
#include <stdint.h>

#define EVENT_LOOP_FRAME_BYTES 1600

/* Pushes frames of `audio` from *sent while the session has room, ending the audio after the
 * last; stops at DAS_RESULT_WOULD_BLOCK (retry after the next wake-up). */
static inline void push_what_fits(das_session *session, const uint8_t *audio, size_t len, size_t *sent) {
    while (*sent < len) {
        size_t frame = len - *sent < EVENT_LOOP_FRAME_BYTES ? len - *sent : EVENT_LOOP_FRAME_BYTES;
        das_result r = das_session_push_audio(session, audio + *sent, frame);
        if (r == DAS_RESULT_WOULD_BLOCK) return;
        CHECK_RESULT(r, DAS_RESULT_OK);
        if (r != DAS_RESULT_OK) return;
        *sent += frame;
        if (*sent == len) CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_OK);
    }
}

/* Takes every pending event, counting them and the result-success ones; returns the last poll's
 * result (DAS_RESULT_TIMEOUT while the session runs, DAS_RESULT_CLOSED once it ended). */
static inline das_result take_pending(das_session *session, int *events, int *results) {
    das_event *event = NULL;
    das_result r;
    while ((r = das_session_poll_event(session, 0, &event)) == DAS_RESULT_OK) {
        (*events)++;
        if (das_event_get_kind(event) == DAS_EVENT_KIND_RESULT_SUCCESS) (*results)++;
        das_event_free(event);
    }
    return r;
}

#endif
