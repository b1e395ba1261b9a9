/* The audio samples of a WAV file, as a live call would hand them over. */
#ifndef DAS_TEST_WAV_DATA_H
#define DAS_TEST_WAV_DATA_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_post.h"

/* The samples of a WAV file's data chunk (malloc'd; the tests' WAVs are µ-law). */
static inline uint8_t *wav_data(const char *path, size_t *len) {
    size_t size = 0, at = 12;
    uint8_t *file = (uint8_t *)read_file(path, &size);
    uint8_t *data = NULL;
    if (file == NULL) return NULL;
    while (at + 8 <= size) {
        size_t chunk = (size_t)file[at + 4] | (size_t)file[at + 5] << 8 | (size_t)file[at + 6] << 16 |
                       (size_t)file[at + 7] << 24;
        if (memcmp(file + at, "data", 4) == 0 && at + 8 + chunk <= size) {
            data = (uint8_t *)malloc(chunk);
            if (data != NULL) {
                memcpy(data, file + at + 8, chunk);
                *len = chunk;
            }
            break;
        }
        at += 8 + chunk + (chunk & 1);
    }
    free(file);
    return data;
}

#endif
