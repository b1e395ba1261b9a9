/* TRD jobs through the C ABI against the emulator: transcribe by polling and through a shared
 * webhook receiver, status/result/stop/retry/delete/list/query, results read with the
 * das_webhook getters, and the typed result codes of bad input. */
#include "emulator_session.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static das_trd_client *new_client(const emulator_process *emulator) {
    das_trd_client *client = NULL;
    CHECK_RESULT(das_trd_client_new(emulator_string(emulator, "trd_url"), DAS_NUL_TERMINATED,
                                    emulator_string(emulator, "trd_token"), DAS_NUL_TERMINATED,
                                    NULL, 0, NULL, 0, NULL, 0, 10000, NULL, &client),
                 DAS_RESULT_OK);
    return client;
}

static das_trd_job *new_job(const char *path, const char *tag) {
    das_trd_job *job = NULL;
    CHECK_RESULT(das_trd_job_new(path, DAS_NUL_TERMINATED, &job), DAS_RESULT_OK);
    CHECK_RESULT(das_trd_job_add(job, DAS_TRD_JOB_FIELD_CONFIG, "diarization.descriptor.enabled=True",
                                 DAS_NUL_TERMINATED),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_trd_job_add(job, DAS_TRD_JOB_FIELD_TAG, tag, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    return job;
}

/* Copies the job id of a result into `id` (at least 64 bytes). */
static void job_id_of(const das_webhook *result, char *id) {
    const char *text = "";
    size_t len = 0;
    CHECK_RESULT(das_webhook_job_id(result, &text, &len), DAS_RESULT_OK);
    CHECK(len > 0 && len < 64);
    snprintf(id, 64, "%s", text);
}

static void transcribe_by_polling_and_job_calls(const emulator_process *emulator) {
    das_trd_client *client = new_client(emulator);
    das_trd_job *job = new_job("samples/speaker-a.wav", "c-poll");
    das_webhook *result = NULL;
    CHECK_RESULT(das_trd_transcribe(client, job, NULL, 20000, false, &result), DAS_RESULT_OK);
    das_job_status status = DAS_JOB_STATUS_OTHER;
    CHECK_RESULT(das_webhook_job_status(result, &status), DAS_RESULT_OK);
    CHECK(status == DAS_JOB_STATUS_COMPLETED);
    char id[64];
    job_id_of(result, id);
    das_webhook_free(result);

    das_webhook *answer = NULL;
    CHECK_RESULT(das_trd_call(client, DAS_TRD_JOB_CALL_STATUS, id, DAS_NUL_TERMINATED, &answer), DAS_RESULT_OK);
    size_t channels = 99;
    CHECK_RESULT(das_webhook_channel_count(answer, &channels), DAS_RESULT_OK);
    CHECK(channels == 1);
    das_webhook_free(answer);
    answer = NULL;
    CHECK_RESULT(das_trd_call(client, DAS_TRD_JOB_CALL_RETRY, id, DAS_NUL_TERMINATED, &answer), DAS_RESULT_OK);
    CHECK_RESULT(das_webhook_job_status(answer, &status), DAS_RESULT_OK);
    CHECK(status == DAS_JOB_STATUS_QUEUED);
    das_webhook_free(answer);
    answer = NULL;
    CHECK_RESULT(das_trd_call(client, 9, id, DAS_NUL_TERMINATED, &answer), DAS_RESULT_INVALID_ENUM);
    CHECK(answer == NULL);

    char listing[8192];
    size_t written = 0;
    CHECK_RESULT(das_trd_list_jobs(client, 0, 0, "c-poll", DAS_NUL_TERMINATED, listing, sizeof listing, &written),
                 DAS_RESULT_OK);
    CHECK(strstr(listing, id) != NULL);
    CHECK(strstr(listing, "\"total\":1") != NULL);
    CHECK_RESULT(das_trd_list_jobs(client, 0, 0, NULL, 0, NULL, 0, &written), DAS_RESULT_BUFFER_TOO_SMALL);

    das_trd_query *query = NULL;
    CHECK_RESULT(das_trd_query_start(client, "{\"tags\": [\"c-poll\"], \"projection\": [\"filename\"]}",
                                     DAS_NUL_TERMINATED, &query),
                 DAS_RESULT_OK);
    das_webhook *record = NULL;
    CHECK_RESULT(das_trd_query_next(query, &record), DAS_RESULT_OK);
    char record_id[64];
    if (record != NULL) job_id_of(record, record_id);
    CHECK_STR(record_id, id);
    das_webhook_free(record);
    record = NULL;
    CHECK_RESULT(das_trd_query_next(query, &record), DAS_RESULT_CLOSED);
    das_trd_query_free(query);
    query = NULL;
    CHECK_RESULT(das_trd_query_start(client, "{\"tagz\": 1}", DAS_NUL_TERMINATED, &query), DAS_RESULT_PARSE);
    CHECK(query == NULL);

    CHECK_RESULT(das_trd_delete_job(client, id, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_trd_call(client, DAS_TRD_JOB_CALL_RESULT, id, DAS_NUL_TERMINATED, &answer), DAS_RESULT_NOT_FOUND);
    CHECK(strstr(check_last_error(), "not found") != NULL);
    das_trd_job_free(job);
    das_trd_client_free(client);
}

static void transcribe_through_a_shared_receiver(const emulator_process *emulator) {
    das_trd_client *client = new_client(emulator);
    das_trd_webhooks *webhooks = NULL;
    /* Plain HTTP: valgrind takes ring's AES assembly for reads of uninitialised memory. */
    CHECK_RESULT(das_trd_webhooks_start(client, NULL, 0, 0, NULL, 0, true, true, &webhooks), DAS_RESULT_OK);
    const char *url = "";
    size_t len = 0;
    CHECK_RESULT(das_trd_webhooks_url(webhooks, &url, &len), DAS_RESULT_OK);
    CHECK(strncmp(url, "http://127.0.0.1:", 17) == 0);
    das_trd_job *job = new_job("samples/speaker-b.wav", "c-hook");
    for (int i = 0; i < 2; i++) {
        das_webhook *result = NULL;
        CHECK_RESULT(das_trd_transcribe(client, job, webhooks, 20000, false, &result), DAS_RESULT_OK);
        das_job_status status = DAS_JOB_STATUS_OTHER;
        CHECK_RESULT(das_webhook_job_status(result, &status), DAS_RESULT_OK);
        CHECK(status == DAS_JOB_STATUS_COMPLETED);
        das_webhook_free(result);
    }
    das_trd_job_free(job);
    das_trd_webhooks_free(webhooks);
    das_trd_client_free(client);
}

static void bad_input_gets_typed_results(const emulator_process *emulator) {
    das_trd_client *client = new_client(emulator);
    das_trd_client *mixed = NULL;
    CHECK_RESULT(das_trd_client_new("http://127.0.0.1:1/trd/v3", DAS_NUL_TERMINATED, "tok", DAS_NUL_TERMINATED, NULL, 0,
                                    "user", DAS_NUL_TERMINATED, "pass", DAS_NUL_TERMINATED, 1000, NULL, &mixed),
                 DAS_RESULT_OUT_OF_RANGE);
    CHECK(mixed == NULL);
    CHECK_RESULT(das_trd_client_new("ftp://x", DAS_NUL_TERMINATED, NULL, 0, NULL, 0, NULL, 0, NULL, 0, 1000, NULL, &mixed),
                 DAS_RESULT_PARSE);
    /* An empty bearer (an unset setting) is refused before any request; NULL is none. */
    CHECK_RESULT(das_trd_client_new("http://127.0.0.1:1/trd/v3", DAS_NUL_TERMINATED, "", 0, NULL, 0, NULL, 0, NULL, 0,
                                    1000, NULL, &mixed),
                 DAS_RESULT_OUT_OF_RANGE);
    CHECK(mixed == NULL);
    char address[64];
    size_t written = 0;
    CHECK_RESULT(das_trd_whoami("http://127.0.0.1:1/trd/v3", DAS_NUL_TERMINATED, "", DAS_NUL_TERMINATED, 1000, address,
                                sizeof address, &written),
                 DAS_RESULT_OUT_OF_RANGE);

    das_webhook *result = NULL;
    das_trd_job *missing = new_job("samples/no-such-file.wav", "c-bad");
    CHECK_RESULT(das_trd_create_job(client, missing, &result), DAS_RESULT_IO);
    CHECK(result == NULL);
    CHECK_RESULT(das_trd_job_add(missing, 42, "x", DAS_NUL_TERMINATED), DAS_RESULT_INVALID_ENUM);
    das_trd_job_free(missing);

    /* An empty recording is refused before anything is sent (created in the working
     * directory, removed at once). */
    const char *empty_path = "trd_jobs_empty_test.wav";
    FILE *empty_file = fopen(empty_path, "wb");
    CHECK(empty_file != NULL);
    if (empty_file != NULL) fclose(empty_file);
    das_trd_job *empty = new_job(empty_path, "c-bad");
    CHECK_RESULT(das_trd_create_job(client, empty, &result), DAS_RESULT_OUT_OF_RANGE);
    CHECK(strstr(check_last_error(), "is empty") != NULL);
    CHECK(result == NULL);
    das_trd_job_free(empty);
    remove(empty_path);

    das_trd_job *not_audio = new_job("samples/generate.sh", "c-bad");
    CHECK_RESULT(das_trd_transcribe(client, not_audio, NULL, 20000, false, &result), DAS_RESULT_JOB_FAILED);
    CHECK(strstr(check_last_error(), "not a RIFF/WAVE file") != NULL);
    das_trd_job_free(not_audio);

    das_trd_job *bad_hook = new_job("samples/speaker-a.wav", "c-bad");
    CHECK_RESULT(das_trd_job_add(bad_hook, DAS_TRD_JOB_FIELD_CALLBACK_URL, "ftp://example.com", DAS_NUL_TERMINATED),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_trd_create_job(client, bad_hook, &result), DAS_RESULT_REJECTED);
    CHECK(strstr(check_last_error(), "not an http(s) URL") != NULL);
    das_trd_job_free(bad_hook);

    CHECK_RESULT(das_trd_call(client, DAS_TRD_JOB_CALL_STATUS, "0123456789abcdef01234567", DAS_NUL_TERMINATED,
                              &result),
                 DAS_RESULT_NOT_FOUND);
    CHECK(strstr(check_last_error(), "not found") != NULL);
    CHECK_RESULT(das_trd_call(client, DAS_TRD_JOB_CALL_STATUS, "../x", DAS_NUL_TERMINATED, &result), DAS_RESULT_PARSE);
    CHECK_RESULT(das_trd_call(NULL, DAS_TRD_JOB_CALL_STATUS, "x", DAS_NUL_TERMINATED, &result),
                 DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_trd_create_job(client, NULL, &result), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_trd_transcribe(client, NULL, NULL, 0, false, &result), DAS_RESULT_OUT_OF_RANGE);
    das_trd_client_free(client);
    das_trd_client_free(NULL);
    das_trd_job_free(NULL);
    das_trd_query_free(NULL);
    das_trd_webhooks_free(NULL);
}

int main(void) {
    emulator_process emulator;
    if (emulator_process_start(&emulator) != 0) return 1;
    transcribe_by_polling_and_job_calls(&emulator);
    transcribe_through_a_shared_receiver(&emulator);
    bad_input_gets_typed_results(&emulator);
    CHECK(emulator_process_stop(&emulator) == 0);
    CHECK_DONE("trd_jobs");
}
