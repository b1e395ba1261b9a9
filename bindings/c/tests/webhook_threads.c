/* One webhook read by several threads at once through its const getters (the header's
 * thread-safety rule for const pointers): every string is lent once, so all threads get the same
 * pointer, and it stays valid with the right text until das_webhook_free. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define THREADS 4
#define SEGMENTS 60
#define WORDS 12
#define BODY_CAPACITY (SEGMENTS * (WORDS * 80 + 160) + 256)

typedef struct {
    const das_webhook *webhook;
    pthread_barrier_t *start;
    const char *words[SEGMENTS * WORDS];
    const char *alternatives[SEGMENTS];
    const char *transcript;
    const char *json;
    int failures;
} reader;

static void word_name(char *out, size_t size, int segment, int word) {
    snprintf(out, size, "w%d_%d", segment, word);
}

/* A completed job whose words all differ, so each lent string can be checked by content. */
static char *body_with_distinct_words(size_t *len) {
    char *body = (char *)malloc(BODY_CAPACITY);
    size_t at = 0;
    int segment, word;
    char name[32];
    if (body == NULL) return NULL;
    at += (size_t)snprintf(body + at, BODY_CAPACITY - at,
                           "{\"job\":{\"id\":\"threads\",\"status\":\"COMPLETED\"},\"segments\":[");
    for (segment = 0; segment < SEGMENTS; segment++) {
        at += (size_t)snprintf(body + at, BODY_CAPACITY - at,
                               "%s{\"channel\":1,\"start\":%d,\"end\":%d,\"alternatives\":[{"
                               "\"text\":\"segment %d\",\"words\":[",
                               segment == 0 ? "" : ",", segment, segment + 1, segment);
        for (word = 0; word < WORDS; word++) {
            word_name(name, sizeof name, segment, word);
            at += (size_t)snprintf(body + at, BODY_CAPACITY - at,
                                   "%s{\"text\":\"%s\",\"start_time\":0,\"end_time\":0.1}",
                                   word == 0 ? "" : ",", name);
        }
        at += (size_t)snprintf(body + at, BODY_CAPACITY - at, "]}]}");
    }
    at += (size_t)snprintf(body + at, BODY_CAPACITY - at, "]}");
    *len = at;
    return body;
}

/* Reads every string of the webhook, checking each as it comes; failures are counted per thread
 * (CHECK's counters are not thread-safe) and reported by main. */
static void *read_everything(void *arg) {
    reader *self = (reader *)arg;
    const char *text = NULL;
    size_t len = 0;
    int segment, word;
    char expected[32];
    pthread_barrier_wait(self->start);
    if (das_webhook_transcript(self->webhook, &self->transcript, &len) != DAS_RESULT_OK) {
        self->failures++;
    }
    for (segment = 0; segment < SEGMENTS; segment++) {
        snprintf(expected, sizeof expected, "segment %d", segment);
        if (das_webhook_alternative_text(self->webhook, (size_t)segment, 0, &text, &len) !=
                DAS_RESULT_OK ||
            strcmp(text, expected) != 0 || strlen(text) != len) {
            self->failures++;
        }
        self->alternatives[segment] = text;
        for (word = 0; word < WORDS; word++) {
            word_name(expected, sizeof expected, segment, word);
            if (das_webhook_word_text(self->webhook, (size_t)segment, 0, (size_t)word, &text,
                                      &len) != DAS_RESULT_OK ||
                strcmp(text, expected) != 0 || strlen(text) != len) {
                self->failures++;
            }
            self->words[segment * WORDS + word] = text;
        }
    }
    if (das_webhook_to_json(self->webhook, &self->json, &len) != DAS_RESULT_OK) {
        self->failures++;
    }
    return NULL;
}

int main(void) {
    static reader readers[THREADS];
    pthread_t threads[THREADS];
    pthread_barrier_t start;
    das_webhook *webhook = NULL;
    size_t len = 0;
    char *body = body_with_distinct_words(&len);
    char expected[32];
    int t, i, segment, word, same = 1;
    CHECK(body != NULL && len < BODY_CAPACITY);
    if (body == NULL) return 1;
    CHECK_RESULT(das_webhook_parse((const uint8_t *)body, len, &webhook), DAS_RESULT_OK);
    free(body);
    if (webhook == NULL) return 1;

    CHECK(pthread_barrier_init(&start, NULL, THREADS) == 0);
    for (t = 0; t < THREADS; t++) {
        readers[t].webhook = webhook;
        readers[t].start = &start;
        CHECK(pthread_create(&threads[t], NULL, read_everything, &readers[t]) == 0);
    }
    for (t = 0; t < THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        CHECK(readers[t].failures == 0);
    }
    pthread_barrier_destroy(&start);

    /* Lent once: every thread holds the same pointers, still valid and unchanged. */
    for (t = 1; t < THREADS; t++) {
        same &= readers[t].transcript == readers[0].transcript;
        same &= readers[t].json == readers[0].json;
        for (i = 0; i < SEGMENTS; i++) {
            same &= readers[t].alternatives[i] == readers[0].alternatives[i];
        }
        for (i = 0; i < SEGMENTS * WORDS; i++) {
            same &= readers[t].words[i] == readers[0].words[i];
        }
    }
    CHECK(same);
    CHECK(strncmp(readers[0].transcript, "segment 0 segment 1 ", 20) == 0);
    CHECK(strncmp(readers[0].json, "{\"job\":{\"id\":\"threads\"", 22) == 0);
    for (segment = 0; segment < SEGMENTS; segment++) {
        for (word = 0; word < WORDS; word++) {
            word_name(expected, sizeof expected, segment, word);
            CHECK_STR(readers[0].words[segment * WORDS + word], expected);
        }
    }
    das_webhook_free(webhook);
    CHECK_DONE("webhook_threads");
}
