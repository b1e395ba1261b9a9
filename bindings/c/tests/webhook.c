/* TRD webhooks from C: parsing the fixtures with every getter, parse errors that name the
 * path/line/column, the token check, and a receiver that a raw HTTP POST delivers to. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "http_post.h"

#define FIXTURES "tests/fixtures/trd/"
#define STEREO_TOKEN "a8281f88-1b3c-43b5-8fdf-79c35652e112"

static das_webhook *parse_fixture(const char *name) {
    char path[256];
    size_t len = 0;
    char *body;
    das_webhook *webhook = NULL;
    snprintf(path, sizeof path, FIXTURES "%s", name);
    body = read_file(path, &len);
    CHECK(body != NULL);
    if (body == NULL) return NULL;
    CHECK_RESULT(das_webhook_parse((const uint8_t *)body, len, &webhook), DAS_RESULT_OK);
    free(body);
    return webhook;
}

static bool close_to(double a, double b) { return fabs(a - b) < 1e-9; }

static void stereo_getters(void) {
    das_webhook *wh = parse_fixture("completed_stereo_two_channels.json");
    const char *text = NULL;
    const char *again = NULL;
    size_t len = 0, count = 0;
    double start = 0, end = 0, seconds = 0, score = 0;
    uint32_t channel = 0;
    das_job_status status = DAS_JOB_STATUS_OTHER;
    if (wh == NULL) return;

    CHECK_RESULT(das_webhook_job_id(wh, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "64b7f1c2a9e3d45f10c2b7a2");
    CHECK(len == 24);
    CHECK_RESULT(das_webhook_job_id(wh, &again, &len), DAS_RESULT_OK);
    CHECK(again == text); /* lent once, the same pointer every time */
    CHECK_RESULT(das_webhook_status(wh, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "COMPLETED");
    CHECK_RESULT(das_webhook_job_status(wh, &status), DAS_RESULT_OK);
    CHECK(status == DAS_JOB_STATUS_COMPLETED);
    CHECK_RESULT(das_webhook_failure_reason(wh, &text, &len), DAS_RESULT_OK);
    CHECK(len == 0);

    CHECK_RESULT(das_webhook_channel_count(wh, &count), DAS_RESULT_OK);
    CHECK(count == 2);
    CHECK_RESULT(das_webhook_channel(wh, 1, &channel, &seconds), DAS_RESULT_OK);
    CHECK(channel == 2 && close_to(seconds, 12.5));
    CHECK_RESULT(das_webhook_channel(wh, 2, &channel, &seconds), DAS_RESULT_OUT_OF_RANGE);

    CHECK_RESULT(das_webhook_segment_count(wh, &count), DAS_RESULT_OK);
    CHECK(count == 4);
    CHECK_RESULT(das_webhook_segment(wh, 1, &start, &end, &channel), DAS_RESULT_OK);
    CHECK(close_to(start, 2.9) && close_to(end, 5.1) && channel == 2);
    CHECK_RESULT(das_webhook_segment(wh, 4, &start, &end, &channel), DAS_RESULT_OUT_OF_RANGE);
    CHECK(strstr(check_last_error(), "index 4 but there are 4") != NULL);
    CHECK_RESULT(das_webhook_segment_speaker(wh, 0, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "1");
    CHECK_RESULT(das_webhook_segment_status(wh, 0, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "RECOGNIZED");
    CHECK_RESULT(das_webhook_alternative_count(wh, 0, &count), DAS_RESULT_OK);
    CHECK(count == 1);
    CHECK_RESULT(das_webhook_alternative_text(wh, 0, 0, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "bom dia em que posso ajudar");
    CHECK_RESULT(das_webhook_alternative_text(wh, 0, 1, &text, &len), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_webhook_alternative_score(wh, 0, 0, &score), DAS_RESULT_OK);
    CHECK(close_to(score, 95));
    CHECK_RESULT(das_webhook_word_count(wh, 3, 0, &count), DAS_RESULT_OK);
    CHECK(count == 5);
    CHECK_RESULT(das_webhook_word_text(wh, 3, 0, 2, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "tr\xc3\xaas");
    CHECK(len == 5);
    CHECK_RESULT(das_webhook_word_times(wh, 0, 0, 1, &start, &end), DAS_RESULT_OK);
    CHECK(close_to(start, 0.35) && close_to(end, 0.63));
    CHECK_RESULT(das_webhook_word_times(wh, 0, 0, 6, &start, &end), DAS_RESULT_OUT_OF_RANGE);

    CHECK_RESULT(das_webhook_transcript_of_channel(wh, 2, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "quero saber o saldo da minha conta um dois tr\xc3\xaas quatro cinco");
    CHECK_RESULT(das_webhook_transcript_of_channel(wh, 7, &text, &len), DAS_RESULT_OK);
    CHECK(len == 0);
    CHECK_RESULT(das_webhook_transcript(wh, &text, &len), DAS_RESULT_OK);
    CHECK(strncmp(text, "bom dia em que posso ajudar quero saber", 39) == 0);

    CHECK_RESULT(das_webhook_to_json(wh, &text, &len), DAS_RESULT_OK);
    CHECK(strncmp(text, "{\"job\":{\"id\":\"64b7f1c2a9e3d45f10c2b7a2\"", 38) == 0);
    CHECK(strlen(text) == len);

    CHECK_RESULT(das_webhook_verify_token(wh, STEREO_TOKEN, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_verify_token(wh, "wrong", 5), DAS_RESULT_INVALID_TOKEN);
    CHECK(strstr(check_last_error(), "does not match") != NULL);
    CHECK(strstr(check_last_error(), STEREO_TOKEN) == NULL);
    /* An unset setting is an empty expected token: nothing verifies against it. */
    CHECK_RESULT(das_webhook_verify_token(wh, "", DAS_NUL_TERMINATED), DAS_RESULT_INVALID_TOKEN);
    CHECK(strstr(check_last_error(), "expected token is empty") != NULL);
    CHECK_RESULT(das_webhook_verify_token(wh, STEREO_TOKEN, 0), DAS_RESULT_INVALID_TOKEN);
    das_webhook_free(wh);
}

static void failed_job(void) {
    das_webhook *wh = parse_fixture("failed_job_no_segments.json");
    const char *text = NULL;
    size_t len = 0, count = 9;
    double start, end;
    uint32_t channel;
    das_job_status status = DAS_JOB_STATUS_OTHER;
    if (wh == NULL) return;
    CHECK_RESULT(das_webhook_job_status(wh, &status), DAS_RESULT_OK);
    CHECK(status == DAS_JOB_STATUS_FAILED);
    CHECK_RESULT(das_webhook_failure_reason(wh, &text, &len), DAS_RESULT_OK);
    CHECK(strstr(text, "could not be decoded") != NULL);
    CHECK_RESULT(das_webhook_segment_count(wh, &count), DAS_RESULT_OK);
    CHECK(count == 0);
    CHECK_RESULT(das_webhook_segment(wh, 0, &start, &end, &channel), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_webhook_verify_token(wh, "t", 1), DAS_RESULT_INVALID_TOKEN);
    das_webhook_free(wh);
}

static void absent_fields_are_not_present(void) {
    static const char body[] =
        "{\"job\":{\"id\":\"j1\",\"status\":\"STOPPED\"},"
        "\"segments\":[{\"channel\":1,\"start\":0,\"end\":1,\"alternatives\":[{\"text\":\"oi\"}]}]}";
    das_webhook *wh = NULL;
    const char *text = NULL;
    size_t len = 0;
    double score = -1;
    das_job_status status = DAS_JOB_STATUS_COMPLETED;
    CHECK_RESULT(das_webhook_parse((const uint8_t *)body, sizeof body - 1, &wh), DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_job_status(wh, &status), DAS_RESULT_OK);
    CHECK(status == DAS_JOB_STATUS_OTHER);
    CHECK_RESULT(das_webhook_status(wh, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "STOPPED");
    CHECK_RESULT(das_webhook_failure_reason(wh, &text, &len), DAS_RESULT_NOT_PRESENT);
    CHECK_RESULT(das_webhook_segment_speaker(wh, 0, &text, &len), DAS_RESULT_NOT_PRESENT);
    CHECK_RESULT(das_webhook_segment_status(wh, 0, &text, &len), DAS_RESULT_NOT_PRESENT);
    CHECK_RESULT(das_webhook_alternative_score(wh, 0, 0, &score), DAS_RESULT_NOT_PRESENT);
    CHECK(score == -1); /* out-parameters are written only on success */
    CHECK_RESULT(das_webhook_verify_token(wh, "t", 1), DAS_RESULT_INVALID_TOKEN);
    CHECK(strstr(check_last_error(), "no token") != NULL);
    das_webhook_free(wh);
}

static void parse_errors(void) {
    static const char truncated[] = "{\"job\": {\"id\": \"j\",\n \"status\": \"COMP";
    static const char wrong_type[] = "{\"job\": {\"id\": \"j\", \"status\": \"COMPLETED\"},\n \"segments\": [{\"channel\": 1, \"start\": \"zero\", \"end\": 1}]}";
    static const uint8_t invalid_utf8[] = {'{', '"', 0xff, '"', ':', '1', '}'};
    das_webhook *wh = NULL;

    CHECK_RESULT(das_webhook_parse((const uint8_t *)truncated, sizeof truncated - 1, &wh), DAS_RESULT_PARSE);
    CHECK(strstr(check_last_error(), "line 2") != NULL);
    CHECK_RESULT(das_webhook_parse((const uint8_t *)wrong_type, sizeof wrong_type - 1, &wh), DAS_RESULT_PARSE);
    CHECK(strstr(check_last_error(), "segments[0].start") != NULL);
    CHECK(strstr(check_last_error(), "column") != NULL);
    CHECK_RESULT(das_webhook_parse(invalid_utf8, sizeof invalid_utf8, &wh), DAS_RESULT_PARSE);
    CHECK_RESULT(das_webhook_parse((const uint8_t *)"", 0, &wh), DAS_RESULT_PARSE);
    CHECK_RESULT(das_webhook_parse(NULL, 0, &wh), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_parse((const uint8_t *)"{}", 2, NULL), DAS_RESULT_NULL_ARGUMENT);
    /* Rejected before a byte is read. */
    CHECK_RESULT(das_webhook_parse((const uint8_t *)"{}", DAS_MAX_BODY_LEN + 1, &wh), DAS_RESULT_OUT_OF_RANGE);
    CHECK(wh == NULL);
}

/* NULL for every handle and out-parameter: typed errors, nothing written. */
static void nulls_everywhere(void) {
    das_webhook *wh = parse_fixture("completed_mono_single_speaker.json");
    const char *text = NULL;
    const uint8_t *raw = NULL;
    size_t len = 0, count = 0;
    double a = 0, b = 0;
    uint32_t channel = 0;
    bool flag = false;
    das_job_status status;
    das_delivery *delivery = NULL;
    das_webhook *copy = NULL;
    if (wh == NULL) return;

    CHECK_RESULT(das_webhook_job_id(NULL, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_job_id(wh, NULL, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_job_id(wh, &text, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_status(NULL, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_job_status(NULL, &status), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_job_status(wh, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_failure_reason(wh, NULL, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_channel_count(wh, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_channel(wh, 0, NULL, &a), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_channel(wh, 0, &channel, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_segment_count(NULL, &count), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_segment(wh, 0, NULL, &b, &channel), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_segment_speaker(wh, 0, &text, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_segment_status(NULL, 0, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_alternative_count(wh, 0, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_alternative_text(wh, 0, 0, NULL, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_alternative_score(wh, 0, 0, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_word_count(wh, 0, 0, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_word_text(wh, 0, 0, 0, NULL, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_word_times(wh, 0, 0, 0, &a, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_transcript(NULL, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_transcript_of_channel(wh, 1, NULL, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_to_json(wh, &text, NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_verify_token(wh, NULL, 0), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_verify_token(NULL, "t", 1), DAS_RESULT_NULL_ARGUMENT);
    CHECK(text == NULL && len == 0 && count == 0);

    CHECK_RESULT(das_webhook_receiver_url(NULL, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_receiver_certificate_pem(NULL, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_receiver_next_delivery(NULL, 0, &delivery), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_receiver_stop(NULL), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_receiver_start(NULL, 0, 0, NULL, 0, DAS_TLS_MODE_PLAIN, NULL, 0, NULL, 0, NULL, 0, NULL),
                 DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_delivery_job_id(NULL, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_delivery_name(NULL, &text, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_delivery_body(NULL, &raw, &len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_delivery_is_duplicate(NULL, &flag), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_delivery_is_recovered(NULL, &flag), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_delivery_webhook(NULL, &copy), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_delivery_ack(NULL), DAS_RESULT_NULL_ARGUMENT);
    /* A webhook is not a delivery, nor a receiver. */
    CHECK_RESULT(das_delivery_ack((das_delivery *)wh), DAS_RESULT_INVALID_HANDLE);
    CHECK_RESULT(das_webhook_receiver_stop((das_webhook_receiver *)wh), DAS_RESULT_INVALID_HANDLE);
    das_delivery_free(NULL);
    das_webhook_receiver_free(NULL);
    das_webhook_free(NULL);
    das_webhook_free(wh);
    das_webhook_free(wh);
    CHECK(strstr(check_last_error(), "not a live das_webhook") != NULL);
    CHECK_RESULT(das_webhook_job_id(wh, &text, &len), DAS_RESULT_INVALID_HANDLE);
}

static void receiver_delivers_posts(void) {
    das_webhook_receiver *receiver = NULL;
    das_delivery *delivery = NULL;
    das_webhook *wh = NULL;
    const char *url = NULL;
    const char *text = NULL;
    const uint8_t *raw = NULL;
    size_t len = 0, body_len = 0, count = 0;
    bool flag = true;
    char *body = read_file(FIXTURES "completed_stereo_two_channels.json", &body_len);
    int port;
    CHECK(body != NULL);
    if (body == NULL) return;

    /* An empty token would let '"token": ""' bodies in; NULL is the way to check none. */
    CHECK_RESULT(das_webhook_receiver_start(NULL, 0, 0, "", DAS_NUL_TERMINATED, DAS_TLS_MODE_PLAIN, NULL, 0, NULL,
                                            0, NULL, 0, &receiver),
                 DAS_RESULT_INVALID_TOKEN);
    CHECK(receiver == NULL);
    CHECK(strstr(check_last_error(), "webhook token is empty") != NULL);
    CHECK_RESULT(das_webhook_receiver_start(NULL, 0, 0, STEREO_TOKEN, DAS_NUL_TERMINATED, DAS_TLS_MODE_PLAIN,
                                            NULL, 0, NULL, 0, NULL, 0, &receiver),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_receiver_url(receiver, &url, &len), DAS_RESULT_OK);
    CHECK(strncmp(url, "http://127.0.0.1:", 17) == 0);
    CHECK_RESULT(das_webhook_receiver_certificate_pem(receiver, &text, &len), DAS_RESULT_NOT_PRESENT);
    port = url_port(url);

    CHECK_RESULT(das_webhook_receiver_next_delivery(receiver, 0, &delivery), DAS_RESULT_TIMEOUT);
    CHECK(http_post(port, "/64b7f1c2a9e3d45f10c2b7a2", body, body_len) == 200);
    CHECK(http_post(port, "/64b7f1c2a9e3d45f10c2b7a2", "{\"job\":", 7) == 400);
    CHECK(http_post(port, "/other-job", body, body_len) != 200);

    CHECK_RESULT(das_webhook_receiver_next_delivery(receiver, 10000, &delivery), DAS_RESULT_OK);
    CHECK_RESULT(das_delivery_job_id(delivery, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "64b7f1c2a9e3d45f10c2b7a2");
    CHECK_RESULT(das_delivery_name(delivery, &text, &len), DAS_RESULT_NOT_PRESENT);
    CHECK_RESULT(das_delivery_is_duplicate(delivery, &flag), DAS_RESULT_OK);
    CHECK(!flag);
    CHECK_RESULT(das_delivery_is_recovered(delivery, &flag), DAS_RESULT_OK);
    CHECK(!flag);
    CHECK_RESULT(das_delivery_body(delivery, &raw, &len), DAS_RESULT_OK);
    CHECK(len == body_len && memcmp(raw, body, len) == 0);
    CHECK_RESULT(das_delivery_webhook(delivery, &wh), DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_segment_count(wh, &count), DAS_RESULT_OK);
    CHECK(count == 4);
    CHECK_RESULT(das_delivery_ack(delivery), DAS_RESULT_OK);
    CHECK_RESULT(das_delivery_ack(delivery), DAS_RESULT_OK);
    das_delivery_free(delivery);
    /* The webhook copy outlives its delivery. */
    CHECK_RESULT(das_webhook_job_id(wh, &text, &len), DAS_RESULT_OK);
    das_webhook_free(wh);

    /* TRD retries: the same job again is flagged as a duplicate. */
    CHECK(http_post(port, "/hook/64b7f1c2a9e3d45f10c2b7a2", body, body_len) == 200);
    CHECK(http_post(port, "/hook/64b7f1c2a9e3d45f10c2b7a2", body, body_len) == 200);
    CHECK_RESULT(das_webhook_receiver_next_delivery(receiver, 10000, &delivery), DAS_RESULT_OK);
    CHECK_RESULT(das_delivery_name(delivery, &text, &len), DAS_RESULT_OK);
    CHECK_STR(text, "hook");
    das_delivery_free(delivery);
    CHECK_RESULT(das_webhook_receiver_next_delivery(receiver, 10000, &delivery), DAS_RESULT_OK);
    CHECK_RESULT(das_delivery_is_duplicate(delivery, &flag), DAS_RESULT_OK);
    CHECK(flag);
    das_delivery_free(delivery);

    CHECK_RESULT(das_webhook_receiver_stop(receiver), DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_receiver_stop(receiver), DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_receiver_next_delivery(receiver, 1000, &delivery), DAS_RESULT_CLOSED);
    das_webhook_receiver_free(receiver);
    free(body);
}

/* Freed without an acknowledgement, a delivery comes back from the spool on the next start. */
static void spooled_deliveries_survive_a_restart(void) {
    char spool[] = "/tmp/das-c-spool-XXXXXX";
    das_webhook_receiver *receiver = NULL;
    das_delivery *delivery = NULL;
    const char *url = NULL, *text = NULL;
    size_t len = 0, body_len = 0;
    bool flag = false;
    char *body = read_file(FIXTURES "failed_job.json", &body_len);
    char path[128];
    CHECK(body != NULL && mkdtemp(spool) != NULL);
    if (body == NULL) return;

    CHECK_RESULT(das_webhook_receiver_start(NULL, 0, 0, NULL, 0, DAS_TLS_MODE_PLAIN, NULL, 0, NULL, 0, spool,
                                            DAS_NUL_TERMINATED, &receiver),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_receiver_url(receiver, &url, &len), DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_parse((const uint8_t *)body, body_len, NULL), DAS_RESULT_NULL_ARGUMENT);
    {
        das_webhook *wh = NULL;
        CHECK_RESULT(das_webhook_parse((const uint8_t *)body, body_len, &wh), DAS_RESULT_OK);
        CHECK_RESULT(das_webhook_job_id(wh, &text, &len), DAS_RESULT_OK);
        snprintf(path, sizeof path, "/%s", text);
        das_webhook_free(wh);
    }
    CHECK(http_post(url_port(url), path, body, body_len) == 200);
    CHECK_RESULT(das_webhook_receiver_next_delivery(receiver, 10000, &delivery), DAS_RESULT_OK);
    das_delivery_free(delivery); /* not acknowledged */
    das_webhook_receiver_free(receiver);

    receiver = NULL;
    CHECK_RESULT(das_webhook_receiver_start(NULL, 0, 0, NULL, 0, DAS_TLS_MODE_PLAIN, NULL, 0, NULL, 0, spool,
                                            DAS_NUL_TERMINATED, &receiver),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_receiver_next_delivery(receiver, 0, &delivery), DAS_RESULT_OK);
    CHECK_RESULT(das_delivery_is_recovered(delivery, &flag), DAS_RESULT_OK);
    CHECK(flag);
    CHECK_RESULT(das_delivery_ack(delivery), DAS_RESULT_OK);
    das_delivery_free(delivery);
    das_webhook_receiver_free(receiver);
    CHECK(rmdir(spool) == 0); /* the acknowledgement removed the only file */
    free(body);
}

static void receiver_tls_modes(void) {
    das_webhook_receiver *receiver = NULL;
    const char *text = NULL;
    size_t len = 0;

    CHECK_RESULT(das_webhook_receiver_start("127.0.0.1", DAS_NUL_TERMINATED, 0, NULL, 0, DAS_TLS_MODE_SELF_SIGNED,
                                            NULL, 0, NULL, 0, NULL, 0, &receiver),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_receiver_url(receiver, &text, &len), DAS_RESULT_OK);
    CHECK(strncmp(text, "https://127.0.0.1:", 18) == 0);
    CHECK_RESULT(das_webhook_receiver_certificate_pem(receiver, &text, &len), DAS_RESULT_OK);
    CHECK(strncmp(text, "-----BEGIN CERTIFICATE-----", 27) == 0);
    das_webhook_receiver_free(receiver);

    receiver = NULL;
    CHECK_RESULT(das_webhook_receiver_start(NULL, 0, 0, NULL, 0, DAS_TLS_MODE_PEM, "not pem", 7, "nor this", 8, NULL, 0,
                                            &receiver),
                 DAS_RESULT_TLS);
    CHECK_RESULT(das_webhook_receiver_start(NULL, 0, 0, NULL, 0, DAS_TLS_MODE_PEM, NULL, 0, NULL, 0, NULL, 0, &receiver),
                 DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_webhook_receiver_start(NULL, 0, 0, NULL, 0, 9, NULL, 0, NULL, 0, NULL, 0, &receiver),
                 DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_webhook_receiver_start("localhost", 9, 0, NULL, 0, DAS_TLS_MODE_PLAIN, NULL, 0, NULL, 0, NULL, 0,
                                            &receiver),
                 DAS_RESULT_PARSE);
    CHECK(receiver == NULL);
}

static void trd_client_errors(void) {
    char buf[64];
    size_t written = 0;
    bool reachable = false;
    CHECK_RESULT(das_trd_whoami("not a url", DAS_NUL_TERMINATED, NULL, 0, 1000, buf, sizeof buf, &written),
                 DAS_RESULT_PARSE);
    CHECK_RESULT(das_trd_whoami("http://127.0.0.1:1/trd/v3", DAS_NUL_TERMINATED, NULL, 0, 2000, buf, sizeof buf,
                                &written),
                 DAS_RESULT_CONNECT_REFUSED);
    CHECK_RESULT(das_trd_whoami("http://127.0.0.1:1", DAS_NUL_TERMINATED, NULL, 0, 0, buf, sizeof buf, &written),
                 DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_trd_validate("http://127.0.0.1:1", DAS_NUL_TERMINATED, "t", 1, NULL, 0, NULL, 0, NULL, 0, 1000,
                                  &reachable),
                 DAS_RESULT_NULL_ARGUMENT);
    /* An empty token is never registered: refused before the (unreachable) TRD is asked. */
    CHECK_RESULT(das_trd_validate("http://127.0.0.1:1/trd/v3", DAS_NUL_TERMINATED, "t", 1, "https://203.0.113.7",
                                  DAS_NUL_TERMINATED, "", DAS_NUL_TERMINATED, NULL, 0, 1000, &reachable),
                 DAS_RESULT_INVALID_TOKEN);
    CHECK(strstr(check_last_error(), "webhook token is empty") != NULL);
}

/* Freed from an `atexit` handler, as a program's cleanup often does: after the thread's locals
 * are destroyed. libdas aborted the process there (a panic outside its boundary). */
static das_webhook *freed_at_exit_webhook;
static das_config *freed_at_exit_config;

static void free_at_exit(void) {
    char message[16];
    size_t written = 1;
    das_webhook_free(freed_at_exit_webhook);
    das_config_free(freed_at_exit_config);
    if (das_last_error_message(message, sizeof message, &written) != DAS_RESULT_OK || written != 0) {
        fputs("das_last_error_message failed at exit\n", stderr);
        _Exit(1);
    }
}

static void handles_freed_at_exit(void) {
    static const char body[] = "{\"job\":{\"id\":\"a\",\"status\":\"COMPLETED\"}}";
    CHECK_RESULT(das_webhook_parse((const uint8_t *)body, sizeof body - 1, &freed_at_exit_webhook),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_config_new(&freed_at_exit_config), DAS_RESULT_OK);
    CHECK(atexit(free_at_exit) == 0);
}

int main(void) {
    handles_freed_at_exit();
    stereo_getters();
    failed_job();
    absent_fields_are_not_present();
    parse_errors();
    nulls_everywhere();
    receiver_delivers_posts();
    spooled_deliveries_survive_a_restart();
    receiver_tls_modes();
    trd_client_errors();
    CHECK_DONE("webhook");
}
