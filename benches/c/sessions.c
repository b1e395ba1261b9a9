/* sessions.c: N concurrent real-time registration sessions through the C ABI, for
 * emulator/benches/sessions/ (the same scenario and the same JSON report as its other
 * clients). One thread per session, as a C integrator with blocking polls would write it
 * (or, with --event-loop, every session on one thread waiting in epoll on the sessions'
 * das_session_event_fd, with the calls that never block: das_session_start_nonblocking,
 * whose outcome arrives as an event, and das_session_close_nonblocking; or, with
 * --caller-driven, that loop with no libdas thread: it waits in das_run, which runs every
 * session on this thread, then takes the events of the sessions whose descriptor is readable):
 * start 2 ms apart; from info-consumer-ready push one 200 ms frame of the WAV every 200 ms
 * (AudioHook), polling events in between, until the result; close.
 *
 * Build: gcc -O2 -std=c11 -pthread -Iinclude benches/c/sessions.c -L$DIR -ldas -Wl,-rpath,$DIR
 * Usage: sessions [--event-loop|--caller-driven] SOCKETIO_URL TOKEN_URL AUDIOHOOK_URL CLIENT_ID CLIENT_SECRET API_KEY
 *        AUDIOHOOK_SECRET WAV N */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "das.h"

#define MAX_EVENTS 64
#define POLL_MS 60000
#define START_SPACING_NS 2000000L
#define FRAME_BYTES 1600 /* 200 ms of 8 kHz µ-law */
#define LATE_S 0.05       /* a frame handed over this long after its deadline is late */

struct received {
    uint32_t seq;
    char event[32];
    uint64_t unix_ns;
};

struct session_run {
    int index;
    char *const *argv;
    char call_id[64];
    char failure[160];
    int success;
    double setup_ms; /* < 0 when info-consumer-ready never came */
    double lifetime_s;
    size_t sent;        /* audio bytes pushed */
    int frames;         /* frames pushed */
    int late_frames;    /* of which > 50 ms after their deadline */
    size_t count;
    struct received events[MAX_EVENTS];
};

static double monotonic_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t unix_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* User and system CPU seconds of this process. */
static void cpu_s(double *user, double *system) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    *user = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6;
    *system = (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

static long rss_bytes(void) {
    long pages = 0, resident = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm == NULL) return 0;
    if (fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(statm);
    return resident * sysconf(_SC_PAGESIZE);
}

static void note_failure(struct session_run *run, const char *what, das_result r) {
    char message[128] = "";
    size_t written = 0;
    if (das_last_error_message(message, sizeof message, &written) != DAS_RESULT_OK) message[0] = '\0';
    snprintf(run->failure, sizeof run->failure, "%s: %s %s", what, das_result_name(r), message);
}

static das_config *session_config(char *const *argv, const char *call_id) {
    das_config *config = NULL;
    if (das_config_new(&config) != DAS_RESULT_OK) return NULL;
    das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, call_id, DAS_NUL_TERMINATED);
    das_config_set_endpoint_url(config, argv[1], DAS_NUL_TERMINATED);
    das_config_set_token_url(config, argv[2], DAS_NUL_TERMINATED);
    das_config_set_client_credentials(config, argv[4], DAS_NUL_TERMINATED, argv[5], DAS_NUL_TERMINATED);
    das_config_set_session_kind(config, DAS_SESSION_KIND_REGISTER);
    das_config_set_authenticity_threshold(config, 0.8);
    das_config_set_audio_total_duration(config, 5.0);
    das_config_set_model_hash(config, "<MODEL_HASH>", DAS_NUL_TERMINATED);
    das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_AUDIOHOOK);
    das_config_set_audio_url(config, argv[3], DAS_NUL_TERMINATED);
    das_config_set_audiohook_credentials(config, argv[6], DAS_NUL_TERMINATED, argv[7], DAS_NUL_TERMINATED);
    das_config_set_timeout_ms(config, DAS_TIMEOUT_CONNECT, POLL_MS);
    return config;
}

/* The call's audio, read once and shared: a live call holds only what it has not sent. */
static const uint8_t *audio;
static size_t audio_len;

static int read_audio(const char *path) {
    static uint8_t blob[1 << 20];
    FILE *wav = fopen(path, "rb");
    if (wav == NULL) return -1;
    size_t len = fread(blob, 1, sizeof blob, wav);
    fclose(wav);
    /* Walk the RIFF chunks to "data". */
    for (size_t at = 12; at + 8 <= len;) {
        uint32_t size = (uint32_t)blob[at + 4] | (uint32_t)blob[at + 5] << 8 | (uint32_t)blob[at + 6] << 16 |
                        (uint32_t)blob[at + 7] << 24;
        if (memcmp(blob + at, "data", 4) == 0) {
            audio = blob + at + 8;
            audio_len = size < len - at - 8 ? size : len - at - 8;
            return 0;
        }
        at += 8 + size;
    }
    return -1;
}

/* How a session is closed: das_session_close, or das_session_close_nonblocking in the event
 * loop. */
static das_result (*close_session)(const das_session *) = das_session_close;

/* Records a server event (sequence, name, receive time) and acts on it: streaming starts at
 * info-consumer-ready (*streaming_since), the result closes the session. Frees the event. */
static void on_event(struct session_run *run, das_session *session, double started, das_event *event,
                     double *streaming_since) {
    uint64_t now = unix_ns();
    das_event_kind kind = das_event_get_kind(event);
    const char *name = "";
    size_t len = 0;
    das_event_name(event, &name, &len);
    if (kind == DAS_EVENT_KIND_START_FAILED) {
        das_result code = DAS_RESULT_INTERNAL;
        const char *message = "";
        size_t message_len = 0;
        das_event_start_result(event, &code);
        das_event_message(event, &message, &message_len);
        snprintf(run->failure, sizeof run->failure, "start: %s %.*s", das_result_name(code), (int)message_len,
                 message);
    }
    /* Locally generated events have no emulator send time. */
    if (kind != DAS_EVENT_KIND_AUDIO_ENDED && kind != DAS_EVENT_KIND_DISCONNECTED &&
        kind != DAS_EVENT_KIND_STARTED && kind != DAS_EVENT_KIND_START_FAILED && run->count < MAX_EVENTS) {
        struct received *slot = &run->events[run->count++];
        slot->seq = (uint32_t)run->count;
        slot->unix_ns = now;
        snprintf(slot->event, sizeof slot->event, "%.*s", (int)len, name);
    }
    if (kind == DAS_EVENT_KIND_CONSUMER_READY) {
        run->setup_ms = (monotonic_s() - started) * 1000.0;
        *streaming_since = monotonic_s();
    }
    if (kind == DAS_EVENT_KIND_RESULT_SUCCESS || kind == DAS_EVENT_KIND_RESULT_FAILURE ||
        kind == DAS_EVENT_KIND_ERROR) {
        run->lifetime_s = monotonic_s() - started;
        run->success = kind == DAS_EVENT_KIND_RESULT_SUCCESS;
        if (!run->success) snprintf(run->failure, sizeof run->failure, "%.*s", (int)len, name);
        close_session(session);
        *streaming_since = -1;
    }
    das_event_free(event);
}

/* Pushes every frame due by `now`, as a live call hands them over; returns the seconds until
 * the next one (or -1 when none is left). Frames handed over > 50 ms late are counted. */
static double push_due(struct session_run *run, das_session *session, double streaming_since, double now) {
    while (streaming_since >= 0 && run->sent < audio_len) {
        double due = streaming_since + (double)(run->sent / FRAME_BYTES) * 0.2 - now;
        if (due > 0) return due;
        size_t len = audio_len - run->sent < FRAME_BYTES ? audio_len - run->sent : FRAME_BYTES;
        run->frames++;
        if (-due > LATE_S) run->late_frames++;
        das_session_push_audio(session, audio + run->sent, len);
        run->sent += len;
        if (run->sent == audio_len) das_session_end_audio(session);
    }
    return -1;
}

/* Polls until the session closes, the poll timeout running until the next frame is due. */
static void poll_events(struct session_run *run, das_session *session, double started) {
    das_event *event = NULL;
    das_result r;
    double streaming_since = -1;
    for (;;) {
        double due = push_due(run, session, streaming_since, monotonic_s());
        uint32_t timeout = due < 0 ? POLL_MS : (uint32_t)(due * 1000.0) + 1;
        r = das_session_poll_event(session, timeout, &event);
        if (r == DAS_RESULT_TIMEOUT) continue;
        if (r != DAS_RESULT_OK) break;
        on_event(run, session, started, event, &streaming_since);
    }
    if (r != DAS_RESULT_CLOSED) note_failure(run, "poll", r);
    if (run->lifetime_s == 0) run->lifetime_s = monotonic_s() - started;
}

/* Makes session `run->index` and starts it with `start` (das_session_start blocks until it is
 * connected; das_session_start_nonblocking returns at once); NULL on failure. */
static das_session *start_session(struct session_run *run, das_result (*start)(const das_session *)) {
    /* AudioHook carries the call_id as a UUID: version 4 layout, unique per run and session. */
    uint64_t stamp = unix_ns();
    snprintf(run->call_id, sizeof run->call_id, "%08x-%04x-4%03x-8%03x-%012llx", (unsigned)(stamp >> 20),
             (unsigned)(stamp & 0xffff), (unsigned)(run->index >> 12) & 0xfff, (unsigned)run->index & 0xfff,
             (unsigned long long)getpid());
    das_config *config = session_config(run->argv, run->call_id);
    das_session *session = NULL;
    das_result r = das_session_new(config, &session);
    das_config_free(config);
    if (r != DAS_RESULT_OK) {
        note_failure(run, "new", r);
        return NULL;
    }
    if ((r = start(session)) != DAS_RESULT_OK) {
        note_failure(run, "start", r);
        das_session_free(session);
        return NULL;
    }
    return session;
}

static void *session_thread(void *arg) {
    struct session_run *run = arg;
    struct timespec spacing = {.tv_sec = 0, .tv_nsec = START_SPACING_NS * run->index};
    spacing.tv_sec = spacing.tv_nsec / 1000000000L;
    spacing.tv_nsec %= 1000000000L;
    nanosleep(&spacing, NULL);
    double started = monotonic_s();
    das_session *session = start_session(run, das_session_start);
    if (session == NULL) return NULL;
    poll_events(run, session, started);
    das_session_free(session);
    return NULL;
}

/* One session of the event loop: its run, and where its audio stands. */
struct looped {
    struct session_run *run;
    das_session *session;
    int32_t fd;
    double started, streaming_since;
};

/* Takes every pending event of a session whose descriptor polled readable; 1 once it ended. */
static int drain(struct looped *s) {
    das_event *event = NULL;
    das_result r;
    while ((r = das_session_poll_event(s->session, 0, &event)) == DAS_RESULT_OK)
        on_event(s->run, s->session, s->started, event, &s->streaming_since);
    if (r == DAS_RESULT_TIMEOUT) return 0;
    if (r != DAS_RESULT_CLOSED) note_failure(s->run, "poll", r);
    if (s->run->lifetime_s == 0) s->run->lifetime_s = monotonic_s() - s->started;
    return 1;
}

/* Every session on this one thread, which never blocks but in epoll_wait: starts them 2 ms
 * apart (non-blocking), waits in epoll on their das_session_event_fd with a timeout running to
 * the next start or frame, polls with timeout 0 when one is readable, pushes the frames that
 * are due (from info-consumer-ready, which follows the started event) and closes without
 * waiting. */
/* With --caller-driven: the loop's wait is das_run, and no libdas thread exists. */
static int caller_driven;

static int run_event_loop(struct session_run *runs, int n) {
    struct looped *sessions = calloc((size_t)n, sizeof *sessions);
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (sessions == NULL || epoll < 0) return -1;
    double begin = monotonic_s();
    int next_start = 0, open = 0, more_ready = 0;
    while (next_start < n || open > 0) {
        if (next_start < n && monotonic_s() >= begin + next_start * START_SPACING_NS / 1e9) {
            struct looped *s = &sessions[next_start];
            s->run = &runs[next_start++];
            s->started = monotonic_s();
            s->streaming_since = -1;
            s->session = start_session(s->run, das_session_start_nonblocking);
            if (s->session == NULL) continue;
            struct epoll_event interest = {.events = EPOLLIN, .data.ptr = s};
            if (das_session_event_fd(s->session, &s->fd) != DAS_RESULT_OK ||
                epoll_ctl(epoll, EPOLL_CTL_ADD, s->fd, &interest) != 0) {
                note_failure(s->run, "event fd", DAS_RESULT_IO);
                das_session_free(s->session);
                s->session = NULL;
                continue;
            }
            open++;
            continue;
        }
        /* One clock read per wake-up, as a loop serving many calls would do: a read per session
         * was a seventh of this thread's time at 100 sessions. */
        double now = monotonic_s();
        double wake = next_start < n ? begin + next_start * START_SPACING_NS / 1e9 - now : POLL_MS / 1e3;
        for (int i = 0; i < next_start; i++) {
            if (sessions[i].session == NULL) continue;
            double due = push_due(sessions[i].run, sessions[i].session, sessions[i].streaming_since, now);
            if (due >= 0 && due < wake) wake = due;
        }
        struct epoll_event ready[64];
        int wait_ms = wake <= 0 ? 0 : (int)(wake * 1000.0) + 1, count;
        if (caller_driven) {
            /* libdas runs here until an event is queued or the next frame is due; the
             * descriptors then say which sessions have events (a full batch: look again at once). */
            das_run(more_ready ? 0 : (uint32_t)wait_ms);
            count = epoll_wait(epoll, ready, 64, 0);
            more_ready = count == 64;
        } else {
            count = epoll_wait(epoll, ready, 64, wait_ms);
        }
        for (int k = 0; k < count; k++) {
            struct looped *s = ready[k].data.ptr;
            if (!drain(s)) continue;
            /* The descriptor leaves the set before das_session_free invalidates it; closed
             * without waiting first, so that the free does not wait for a disconnect either. */
            epoll_ctl(epoll, EPOLL_CTL_DEL, s->fd, NULL);
            das_session_close_nonblocking(s->session);
            das_session_free(s->session);
            s->session = NULL;
            open--;
        }
    }
    close(epoll);
    free(sessions);
    return 0;
}

/* Failure reasons are das_result names, event names and libdas messages: escape for JSON. */
static void print_json_string(const char *text) {
    putchar('"');
    for (; *text; text++) {
        if (*text == '"' || *text == '\\') printf("\\%c", *text);
        else if ((unsigned char)*text < 0x20) printf("\\u%04x", *text);
        else putchar(*text);
    }
    putchar('"');
}

static void print_report(struct session_run *runs, int n, double user, double system, double wall,
                         long rss_growth) {
    int successes = 0, frames = 0, late_frames = 0;
    double session_seconds = 0;
    for (int i = 0; i < n; i++) {
        successes += runs[i].success;
        session_seconds += runs[i].lifetime_s;
        frames += runs[i].frames;
        late_frames += runs[i].late_frames;
    }
    printf("{\"sessions\": %d, \"successes\": %d, \"cpu_seconds\": %.3f, \"kernel_seconds\": %.3f, "
           "\"wall_seconds\": %.3f, \"session_seconds\": %.3f, \"rss_growth_bytes\": %ld, "
           "\"frames\": %d, \"late_frames\": %d, \"failures\": {",
           n, successes, user + system, system, wall, session_seconds, rss_growth, frames, late_frames);
    int first = 1;
    for (int i = 0; i < n; i++) {
        if (runs[i].success) continue;
        int seen = 0, count = 0;
        for (int j = 0; j < n; j++) {
            if (runs[j].success || strcmp(runs[i].failure, runs[j].failure) != 0) continue;
            if (j < i) seen = 1;
            count++;
        }
        if (seen) continue;
        printf("%s", first ? "" : ", ");
        print_json_string(runs[i].failure[0] ? runs[i].failure : "no result");
        printf(": %d", count);
        first = 0;
    }
    printf("}, \"setup_ms\": [");
    first = 1;
    for (int i = 0; i < n; i++) {
        if (runs[i].setup_ms < 0) continue;
        printf("%s%.3f", first ? "" : ", ", runs[i].setup_ms);
        first = 0;
    }
    printf("], \"received\": [");
    first = 1;
    for (int i = 0; i < n; i++) {
        for (size_t k = 0; k < runs[i].count; k++) {
            const struct received *e = &runs[i].events[k];
            printf("%s{\"call_id\": \"%s\", \"seq\": %u, \"event\": ", first ? "" : ", ", runs[i].call_id,
                   e->seq);
            print_json_string(e->event);
            printf(", \"unix_ns\": %llu}", (unsigned long long)e->unix_ns);
            first = 0;
        }
    }
    printf("]}\n");
}

int main(int argc, char **argv) {
    /* --event-loop: every session on one thread (epoll on das_session_event_fd); otherwise
     * one thread per session with blocking polls. */
    caller_driven = argc > 1 && strcmp(argv[1], "--caller-driven") == 0;
    int event_loop = caller_driven || (argc > 1 && strcmp(argv[1], "--event-loop") == 0);
    if (event_loop) {
        argv++;
        argc--;
    }
    if (argc != 10) {
        fprintf(stderr, "usage: %s [--event-loop|--caller-driven] SOCKETIO_URL TOKEN_URL AUDIOHOOK_URL CLIENT_ID "
                        "CLIENT_SECRET API_KEY AUDIOHOOK_SECRET WAV N\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[9]);
    if (n <= 0) return 2;
    if (read_audio(argv[8]) != 0) {
        fprintf(stderr, "cannot read the data chunk of %s\n", argv[8]);
        return 1;
    }
    struct session_run *runs = calloc((size_t)n, sizeof *runs);
    pthread_t *threads = calloc((size_t)n, sizeof *threads);
    if (runs == NULL || threads == NULL) return 1;

    if (caller_driven && das_runtime_caller_driven() != DAS_RESULT_OK) return 1;
    /* Warm-up: one session first, so one-time costs (libdas's runtime, TLS roots) stay out. */
    struct session_run warm_up = {.index = 0, .argv = argv, .setup_ms = -1};
    session_thread(&warm_up);

    long rss_before = rss_bytes(), rss_peak = rss_before;
    double user_before, system_before, started = monotonic_s();
    cpu_s(&user_before, &system_before);
    for (int i = 0; i < n; i++) {
        runs[i].index = i;
        runs[i].argv = argv;
        runs[i].setup_ms = -1;
    }
    if (event_loop) {
        close_session = das_session_close_nonblocking;
        /* The loop thread's resident set is sampled at the end only. */
        if (run_event_loop(runs, n) != 0) return 1;
        long rss = rss_bytes();
        if (rss > rss_peak) rss_peak = rss;
    } else {
        for (int i = 0; i < n; i++)
            if (pthread_create(&threads[i], NULL, session_thread, &runs[i]) != 0) return 1;
        /* Sample RSS every 250 ms until every session thread is done. */
        for (int i = 0; i < n; i++) {
            while (pthread_tryjoin_np(threads[i], NULL) != 0) {
                long rss = rss_bytes();
                if (rss > rss_peak) rss_peak = rss;
                struct timespec quarter = {.tv_sec = 0, .tv_nsec = 250000000L};
                nanosleep(&quarter, NULL);
            }
        }
    }
    double wall = monotonic_s() - started, user, system;
    cpu_s(&user, &system);
    print_report(runs, n, user - user_before, system - system_before, wall, rss_peak - rss_before);
    free(threads);
    free(runs);
    return 0;
}
