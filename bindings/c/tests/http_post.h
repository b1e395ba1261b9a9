/* A tiny blocking HTTP/1.1 POST over a loopback TCP socket, so the C tests can play TRD
 * delivering a webhook without any HTTP library. Compiles as C11 and as C++17. */
#ifndef DAS_TEST_HTTP_POST_H
#define DAS_TEST_HTTP_POST_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* The port of a URL such as "http://127.0.0.1:41234" (0 when absent). */
static inline int url_port(const char *url) {
    const char *colon = strrchr(url, ':');
    return colon != NULL ? atoi(colon + 1) : 0;
}

/* POSTs `body` to http://127.0.0.1:port/path and returns the HTTP status (-1 on failure). */
static inline int http_post(int port, const char *path, const char *body, size_t body_len) {
    struct sockaddr_in addr;
    struct timeval timeout = {10, 0};
    char head[512];
    char answer[64];
    int status = -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
        int n = snprintf(head, sizeof head,
                         "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                         path, body_len);
        if (write(fd, head, (size_t)n) == n && write(fd, body, body_len) == (ssize_t)body_len) {
            ssize_t got = read(fd, answer, sizeof answer - 1);
            if (got > 12) {
                answer[got] = '\0';
                status = atoi(answer + 9); /* "HTTP/1.1 200 OK" */
            }
        }
    }
    close(fd);
    return status;
}

/* Reads a whole file into a malloc'd buffer (caller frees); NULL on failure. */
static inline char *read_file(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    char *data = NULL;
    long size;
    if (file == NULL) return NULL;
    if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 && fseek(file, 0, SEEK_SET) == 0) {
        data = (char *)malloc((size_t)size + 1);
        if (data != NULL && fread(data, 1, (size_t)size, file) != (size_t)size) {
            free(data);
            data = NULL;
        } else if (data != NULL) {
            data[size] = '\0';
            *len = (size_t)size;
        }
    }
    fclose(file);
    return data;
}

#endif
