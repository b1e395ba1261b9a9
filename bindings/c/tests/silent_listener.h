/* A loopback listener on a free port that never accepts: the kernel completes the TCP
 * handshake and the peer's request waits for an answer that never comes (a token endpoint or a
 * proxy that hangs). Closing it at once gives a port where nothing listens. */
#ifndef DAS_TEST_SILENT_LISTENER_H
#define DAS_TEST_SILENT_LISTENER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"

static int silent_listener(unsigned short *port) {
    struct sockaddr_in address;
    socklen_t size = sizeof address;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(fd >= 0);
    CHECK(bind(fd, (struct sockaddr *)&address, sizeof address) == 0);
    CHECK(listen(fd, 16) == 0);
    CHECK(getsockname(fd, (struct sockaddr *)&address, &size) == 0);
    *port = ntohs(address.sin_port);
    return fd;
}

#endif
