/* das_session_close from another thread cancels a das_session_start blocked on a token endpoint
 * that takes the connection and never answers: start returns CLOSED instead of waiting out the
 * 8 s token timeout. The time from the close to start's return is printed (not asserted). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "silent_listener.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

struct start {
    das_session *session;
    das_result result;
    double returned_ms;
    char message[256];
};

static void *run_start(void *arg) {
    struct start *start = (struct start *)arg;
    start->result = das_session_start(start->session);
    start->returned_ms = now_ms();
    snprintf(start->message, sizeof start->message, "%s", check_last_error());
    return NULL;
}

int main(void) {
    unsigned short port = 0;
    int listener = silent_listener(&port);
    char token_url[64];
    das_config *config = NULL;
    struct start start;
    pthread_t thread;
    struct pollfd pending;
    double closed_ms;

    memset(&start, 0, sizeof start);
    snprintf(token_url, sizeof token_url, "http://127.0.0.1:%u/token", (unsigned)port);
    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_endpoint_url(config, "http://127.0.0.1:1", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_token_url(config, token_url, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_client_credentials(config, "id", 2, "secret", 6), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_timeout_ms(config, DAS_TIMEOUT_TOKEN, 8000), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_session_kind(config, DAS_SESSION_KIND_REGISTER), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, "c-1", 3), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_TWILIO), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_url(config, "ws://127.0.0.1:1/twilio", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_session_new(config, &start.session), DAS_RESULT_OK);
    das_config_free(config);
    if (start.session == NULL) {
        CHECK_DONE("cancel_start");
    }

    CHECK(pthread_create(&thread, NULL, run_start, &start) == 0);
    /* Close once the token request is in flight: the listener then has a connection pending. */
    pending.fd = listener;
    pending.events = POLLIN;
    CHECK(poll(&pending, 1, 8000) == 1);
    closed_ms = now_ms();
    CHECK_RESULT(das_session_close(start.session), DAS_RESULT_OK);
    CHECK(pthread_join(thread, NULL) == 0);

    CHECK_RESULT(start.result, DAS_RESULT_CLOSED);
    CHECK(strstr(start.message, "closed") != NULL);
    printf("cancel_start: start returned %.1f ms after das_session_close\n", start.returned_ms - closed_ms);
    CHECK_RESULT(das_session_start(start.session), DAS_RESULT_CLOSED);
    das_session_free(start.session);
    close(listener);
    CHECK_DONE("cancel_start");
}
