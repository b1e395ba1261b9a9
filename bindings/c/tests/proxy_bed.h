/* The HTTP proxy of the C and C++ proxy tests: scripts/proxy-bed (tinyproxy, with Basic
 * authentication, in a mount namespace where only it resolves das-emulator.test) started on a
 * free port, and the emulator's URLs moved to that proxy-only name. Include it after
 * emulator_process.h (or emulator_process.hpp). */
#ifndef DAS_TEST_PROXY_BED_H
#define DAS_TEST_PROXY_BED_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "silent_listener.h"

static int free_port(void) {
    unsigned short port = 0;
    close(silent_listener(&port));
    return port;
}

static int accepts(int port) {
    struct sockaddr_in address;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons((uint16_t)port);
    ok = connect(fd, (struct sockaddr *)&address, sizeof address) == 0;
    close(fd);
    return ok;
}

/* Starts scripts/proxy-bed on `port` with its files in `dir`, requiring `credentials`
 * (USER:PASSWORD); its pid, once it accepts connections. */
static pid_t proxy_start(const char *dir, int port, const char *credentials) {
    char port_text[16];
    long deadline = emulator_process_now_ms() + 60000;
    pid_t pid;
    snprintf(port_text, sizeof port_text, "%d", port);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        execl("scripts/proxy-bed", "scripts/proxy-bed", dir, port_text, credentials, (char *)NULL);
        _exit(127);
    }
    while (!accepts(port) && emulator_process_now_ms() < deadline) {
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    CHECK(accepts(port));
    return pid;
}

/* `url` with 127.0.0.1 replaced by das-emulator.test, in `out`. */
static const char *behind_proxy(const char *url, char *out, size_t size) {
    const char *at = strstr(url, "127.0.0.1");
    CHECK(at != NULL);
    if (at == NULL) return url;
    snprintf(out, size, "%.*sdas-emulator.test%s", (int)(at - url), url, at + strlen("127.0.0.1"));
    return out;
}

#endif
