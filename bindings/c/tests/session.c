/* Sessions against the emulator process: the documented register flow through the event
 * descriptor, a verification with the resulting credential, the AudioHook channel, one pusher thread and one poller
 * thread on one session, close waking a blocked poller, calls after end_audio and close, and
 * the TRD client calls. */
#include "emulator_session.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

#include "wav_data.h"

#define SPEAKER_A "samples/speaker-a.wav"
#define SPEAKER_A_VERIFY "samples/speaker-a-verify.wav"

/* What a session reported, for the checks. */
struct outcome {
    int consumer_ready;
    int vad_status;
    int results;
    int audio_ended;
    int disconnected;
    int events;
    bool closed;
    double authenticity;
    double score;
    char credential[4096];
};

static void record(struct outcome *out, das_event *event) {
    const char *text = NULL;
    size_t len = 0;
    double value = 0;
    out->events++;
    switch (das_event_get_kind(event)) {
    case DAS_EVENT_KIND_CONSUMER_READY:
        out->consumer_ready++;
        CHECK(!das_event_is_final(event));
        break;
    case DAS_EVENT_KIND_VAD_STATUS:
        out->vad_status++;
        CHECK(!das_event_is_final(event));
        CHECK_RESULT(das_event_audio_seconds(event, &value), DAS_RESULT_OK);
        CHECK(value >= 0);
        CHECK_RESULT(das_event_authenticity(event, &value), DAS_RESULT_NOT_PRESENT);
        break;
    case DAS_EVENT_KIND_RESULT_SUCCESS:
        out->results++;
        CHECK(das_event_is_final(event));
        CHECK_RESULT(das_event_authenticity(event, &out->authenticity), DAS_RESULT_OK);
        if (das_event_credential(event, &text, &len) == DAS_RESULT_OK && len < sizeof out->credential) {
            memcpy(out->credential, text, len + 1);
        }
        if (das_event_score(event, &value) == DAS_RESULT_OK) out->score = value;
        CHECK_RESULT(das_event_vad_percentage(event, &value), DAS_RESULT_NOT_PRESENT);
        break;
    case DAS_EVENT_KIND_AUDIO_ENDED:
        out->audio_ended++;
        CHECK_RESULT(das_event_reason(event, &text, &len), DAS_RESULT_OK);
        break;
    case DAS_EVENT_KIND_DISCONNECTED:
        out->disconnected++;
        CHECK(das_event_is_final(event));
        break;
    default:
        CHECK_RESULT(das_event_name(event, &text, &len), DAS_RESULT_OK);
        fprintf(stderr, "unexpected event %s\n", text);
        CHECK(false);
        break;
    }
    CHECK_RESULT(das_event_json(event, &text, &len), DAS_RESULT_OK);
    CHECK(len > 0 && strlen(text) == len);
    das_event_free(event);
}

/* Polls until a result arrives or the session ends, waking on the event descriptor. */
static void drain_with_fd(das_session *session, struct outcome *out) {
    int fd = -1;
    CHECK_RESULT(das_session_event_fd(session, &fd), DAS_RESULT_OK);
    while (out->results == 0 && !out->closed) {
        struct pollfd ready = {fd, POLLIN, 0};
        das_event *event = NULL;
        das_result r;
        if (poll(&ready, 1, 30000) != 1) {
            CHECK(false); /* nothing for 30 s */
            return;
        }
        while ((r = das_session_poll_event(session, 0, &event)) == DAS_RESULT_OK) record(out, event);
        if (r == DAS_RESULT_CLOSED) out->closed = true;
        else CHECK_RESULT(r, DAS_RESULT_TIMEOUT);
    }
}

static void register_then_verify(const emulator_process *emulator) {
    das_config *config = emulator_config(emulator, "c-register-1", NULL);
    das_session *session = NULL;
    das_event *event = NULL;
    struct outcome registered;
    struct outcome verified;
    const uint8_t byte = 0xff;
    memset(&registered, 0, sizeof registered);
    memset(&verified, 0, sizeof verified);

    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_ALREADY_STARTED);
    CHECK_RESULT(das_session_push_wav(session, "no/such.wav", DAS_NUL_TERMINATED), DAS_RESULT_IO);
    CHECK_RESULT(das_session_push_wav(session, SPEAKER_A, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_push_audio(session, &byte, 1), DAS_RESULT_CLOSED);
    drain_with_fd(session, &registered);
    CHECK(registered.consumer_ready == 1);
    CHECK(registered.vad_status >= 1);
    CHECK(registered.results == 1);
    CHECK(registered.authenticity > 0 && registered.authenticity <= 1);
    CHECK(strlen(registered.credential) > 0);
    CHECK_RESULT(das_session_close(session), DAS_RESULT_OK);
    /* Events queued before the close are still delivered, then CLOSED. */
    while (das_session_poll_event(session, 0, &event) == DAS_RESULT_OK) das_event_free(event);
    CHECK_RESULT(das_session_poll_event(session, 1000, &event), DAS_RESULT_CLOSED);
    CHECK_RESULT(das_session_push_audio(session, &byte, 1), DAS_RESULT_CLOSED);
    das_session_free(session);

    config = emulator_config(emulator, "c-verify-1", registered.credential);
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_push_wav(session, SPEAKER_A_VERIFY, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_OK);
    drain_with_fd(session, &verified);
    CHECK(verified.results == 1);
    CHECK(verified.score > 0);
    das_session_free(session); /* frees without an explicit close */
}

struct pusher {
    das_session *session;
    const uint8_t *audio;
    size_t len;
    size_t chunk;
    int would_block;
    das_result last;
};

static void *push_all(void *arg) {
    struct pusher *p = (struct pusher *)arg;
    size_t at = 0;
    const struct timespec pause = {0, 5000000};
    while (at < p->len) {
        size_t n = p->len - at < p->chunk ? p->len - at : p->chunk;
        das_result r = das_session_push_audio(p->session, p->audio + at, n);
        if (r == DAS_RESULT_WOULD_BLOCK && ++p->would_block > 12000) {
            p->last = r; /* a minute without room: the buffer no longer drains */
            break;
        }
        if (r == DAS_RESULT_WOULD_BLOCK) {
            nanosleep(&pause, NULL);
            continue;
        }
        p->last = r;
        if (r != DAS_RESULT_OK) break; /* the consumer had enough audio and closed */
        at += n;
    }
    das_session_end_audio(p->session);
    return NULL;
}

struct poller {
    das_session *session;
    struct outcome out;
};

static void *poll_until_closed(void *arg) {
    struct poller *p = (struct poller *)arg;
    for (;;) {
        das_event *event = NULL;
        das_result r = das_session_poll_event(p->session, 60000, &event);
        if (r == DAS_RESULT_OK) {
            bool result = das_event_get_kind(event) == DAS_EVENT_KIND_RESULT_SUCCESS;
            record(&p->out, event);
            if (result) das_session_close(p->session);
        } else {
            p->out.closed = r == DAS_RESULT_CLOSED;
            return NULL;
        }
    }
}

/* Starts a session from `config` (freed here) with SPEAKER_A to push in `chunk`-byte pieces. */
static bool start_pusher(das_config *config, size_t chunk, struct pusher *pusher, struct poller *poller) {
    memset(pusher, 0, sizeof *pusher);
    memset(poller, 0, sizeof *poller);
    CHECK_RESULT(das_session_new(config, &pusher->session), DAS_RESULT_OK);
    das_config_free(config);
    poller->session = pusher->session;
    pusher->chunk = chunk;
    pusher->audio = wav_data(SPEAKER_A, &pusher->len);
    CHECK(pusher->audio != NULL && pusher->len > 64000);
    if (pusher->audio == NULL) return false;
    CHECK_RESULT(das_session_start(pusher->session), DAS_RESULT_OK);
    return true;
}

/* Pushes from one thread while another polls until the session closes, then frees it. */
static void push_and_poll(struct pusher *pusher, struct poller *poller) {
    pthread_t push_thread, poll_thread;
    CHECK(pthread_create(&poll_thread, NULL, poll_until_closed, poller) == 0);
    CHECK(pthread_create(&push_thread, NULL, push_all, pusher) == 0);
    pthread_join(push_thread, NULL);
    pthread_join(poll_thread, NULL);
    CHECK(pusher->last == DAS_RESULT_OK || pusher->last == DAS_RESULT_CLOSED);
    CHECK(poller->out.results == 1);
    das_session_free(pusher->session);
    free((void *)pusher->audio);
}

static void pusher_and_poller_threads(const emulator_process *emulator) {
    das_config *config = emulator_config(emulator, "c-threads-1", NULL);
    struct pusher pusher;
    struct poller poller;
    /* A small buffer so the pusher meets back-pressure. */
    CHECK_RESULT(das_config_set_audio_buffer_bytes(config, 4096), DAS_RESULT_OK);
    if (!start_pusher(config, 1600, &pusher, &poller)) return;
    /* One push larger than the whole buffer could never fit. */
    CHECK_RESULT(das_session_push_audio(pusher.session, pusher.audio, 4097), DAS_RESULT_OUT_OF_RANGE);
    CHECK(strstr(check_last_error(), "4096") != NULL);
    push_and_poll(&pusher, &poller);
    CHECK(poller.out.consumer_ready == 1);
    CHECK(poller.out.closed);
}

static void close_wakes_a_blocked_poller(const emulator_process *emulator) {
    das_config *config = emulator_config(emulator, "c-close-1", NULL);
    struct poller poller;
    pthread_t poll_thread;
    memset(&poller, 0, sizeof poller);
    CHECK_RESULT(das_session_new(config, &poller.session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_start(poller.session), DAS_RESULT_OK);
    /* No audio: the poller waits (up to 60 s per call) until the close. */
    CHECK(pthread_create(&poll_thread, NULL, poll_until_closed, &poller) == 0);
    CHECK_RESULT(das_session_close(poller.session), DAS_RESULT_OK);
    pthread_join(poll_thread, NULL);
    CHECK(poller.out.closed);
    CHECK(poller.out.results == 0);
    das_session_free(poller.session);
}

/* A configuration for the emulator's AudioHook consumer (200 ms frames of 1,600 bytes). */
static das_config *audiohook_config(const emulator_process *emulator, const char *call_id) {
    das_config *config = emulator_config(emulator, call_id, NULL);
    CHECK_RESULT(das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_AUDIOHOOK), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_url(config, emulator_string(emulator, "audiohook_url"),
                                          DAS_NUL_TERMINATED),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audiohook_credentials(
                     config, emulator_string(emulator, "audiohook_api_key"), DAS_NUL_TERMINATED,
                     emulator_string(emulator, "audiohook_client_secret"), DAS_NUL_TERMINATED),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audiohook_organization_id(config, "d7934305-0972-4844-938e-9060eef73d05",
                                                          DAS_NUL_TERMINATED),
                 DAS_RESULT_OK);
    return config;
}

static void audiohook_session(const emulator_process *emulator) {
    /* AudioHook sends call_id as the UUID conversationId. */
    das_config *config = audiohook_config(emulator, "5a0d3f2e-8c1b-4e7a-9f4d-2b6c8e1a7d30");
    das_session *session = NULL;
    struct outcome out;
    memset(&out, 0, sizeof out);
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_push_wav(session, SPEAKER_A, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_OK);
    drain_with_fd(session, &out);
    CHECK(out.consumer_ready == 1);
    CHECK(out.results == 1);
    das_session_free(session);
}

/* The smallest buffer (1,024 bytes) cannot hold a 1,600-byte AudioHook frame: 800-byte pushes
 * still drain (a refused push makes the channel send what it holds) up to the result. */
static void smallest_buffer_smaller_than_a_frame_drains(const emulator_process *emulator) {
    das_config *config = audiohook_config(emulator, "0f3c5b8e-2d4a-4c6b-8e1f-7a9d3c5b1e20");
    struct pusher pusher;
    struct poller poller;
    CHECK_RESULT(das_config_set_audio_buffer_bytes(config, 1024), DAS_RESULT_OK);
    if (!start_pusher(config, 800, &pusher, &poller)) return;
    push_and_poll(&pusher, &poller);
}

static void trd_calls(const emulator_process *emulator) {
    const char *trd = emulator_string(emulator, "trd_url");
    const char *token = emulator_string(emulator, "trd_token");
    das_webhook_receiver *receiver = NULL;
    const char *url = NULL;
    char address[64];
    size_t written = 0, len = 0;
    bool reachable = false;

    CHECK_RESULT(das_trd_whoami(trd, DAS_NUL_TERMINATED, token, DAS_NUL_TERMINATED, 5000, address, sizeof address,
                                &written),
                 DAS_RESULT_OK);
    CHECK_STR(address, "127.0.0.1");
    CHECK_RESULT(das_trd_whoami(trd, DAS_NUL_TERMINATED, "wrong", 5, 5000, address, sizeof address, &written),
                 DAS_RESULT_AUTH);
    CHECK_RESULT(das_trd_whoami(trd, DAS_NUL_TERMINATED, token, DAS_NUL_TERMINATED, 5000, address, 2, &written),
                 DAS_RESULT_BUFFER_TOO_SMALL);
    CHECK(written == 10);

    {
        /* A license-server token opens TRD like the configured one; a wrong password is AUTH. */
        const char *license = emulator_string(emulator, "trd_license_url");
        const char *user = emulator_string(emulator, "trd_license_user");
        const char *password = emulator_string(emulator, "trd_license_password");
        char issued[128];
        CHECK_RESULT(das_trd_license_token(license, DAS_NUL_TERMINATED, user, DAS_NUL_TERMINATED, password,
                                           DAS_NUL_TERMINATED, 5000, issued, sizeof issued, &written),
                     DAS_RESULT_OK);
        CHECK(written > 0 && strcmp(issued, token) != 0);
        CHECK_RESULT(das_trd_whoami(trd, DAS_NUL_TERMINATED, issued, written, 5000, address, sizeof address, &written),
                     DAS_RESULT_OK);
        CHECK_STR(address, "127.0.0.1");
        CHECK_RESULT(das_trd_license_token(license, DAS_NUL_TERMINATED, user, DAS_NUL_TERMINATED, "wrong", 5, 5000,
                                           issued, sizeof issued, &written),
                     DAS_RESULT_AUTH);
        CHECK_RESULT(das_trd_license_token("no url", DAS_NUL_TERMINATED, user, DAS_NUL_TERMINATED, "x", 1, 5000,
                                           issued, sizeof issued, &written),
                     DAS_RESULT_PARSE);
    }

    CHECK_RESULT(das_webhook_receiver_start(NULL, 0, 0, "hook-token", DAS_NUL_TERMINATED, DAS_TLS_MODE_PLAIN, NULL, 0,
                                            NULL, 0, NULL, 0, &receiver),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_receiver_url(receiver, &url, &len), DAS_RESULT_OK);
    CHECK_RESULT(das_trd_validate(trd, DAS_NUL_TERMINATED, token, DAS_NUL_TERMINATED, url, len, "hook-token",
                                  DAS_NUL_TERMINATED, NULL, 0, 10000, &reachable),
                 DAS_RESULT_OK);
    CHECK(reachable);
    das_webhook_receiver_free(receiver);
}

int main(void) {
    emulator_process emulator;
    if (emulator_process_start(&emulator) != 0) return 1;
    CHECK(strncmp(emulator_string(&emulator, "socketio_url"), "http://127.0.0.1:", 17) == 0);
    register_then_verify(&emulator);
    pusher_and_poller_threads(&emulator);
    close_wakes_a_blocked_poller(&emulator);
    audiohook_session(&emulator);
    smallest_buffer_smaller_than_a_frame_drains(&emulator);
    trd_calls(&emulator);
    CHECK(emulator_process_stop(&emulator) == 0);
    CHECK_DONE("session");
}
