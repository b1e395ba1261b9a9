/* emulator_process.h: runs the das-Peak Streaming + TRD emulator (`das emulator --json`) as a
 * child process for the C and C++ tests and examples, and lends the endpoints and credentials
 * it describes. Header-only, POSIX; compiles as C11 and as C++17. Include it before any other
 * header (under -std=c11 it must switch on the POSIX declarations first).
 *
 *   emulator_process emulator;
 *   if (emulator_process_start(&emulator) != 0) return 1;
 *   das_config_set_endpoint_url(config, emulator_process_get(&emulator, "socketio_url"),
 *                               DAS_NUL_TERMINATED);
 *   ...
 *   emulator_process_stop(&emulator);
 *
 * The program is $DAS_BIN, else `das` on PATH (`cargo install libdas-cli`, or the
 * libdas-emulator wheel). Its standard input is a pipe whose only writer is this process: when
 * that closes (emulator_process_stop, exit, a crash), the emulator exits, so none is left
 * behind. Field names are those of the JSON description (see `das emulator --json`). */
#ifndef DAS_EMULATOR_PROCESS_H
#define DAS_EMULATOR_PROCESS_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Bound on starting (reading the description) and on stopping. */
#define EMULATOR_PROCESS_WAIT_MS 20000
#define EMULATOR_PROCESS_MAX_FIELDS 32

typedef struct emulator_process {
    pid_t pid;
    int stdin_fd; /* the write end of the emulator's standard input */
    char line[8192]; /* the JSON description, split in place into the fields below */
    const char *keys[EMULATOR_PROCESS_MAX_FIELDS];
    const char *values[EMULATOR_PROCESS_MAX_FIELDS];
    int fields;
} emulator_process;

static inline long emulator_process_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Reads one line from fd within the deadline; 0 on success. */
static inline int emulator_process_read_line(int fd, char *line, size_t size, long deadline_ms) {
    size_t used = 0;
    while (used + 1 < size) {
        struct pollfd ready;
        ssize_t got;
        long left = deadline_ms - emulator_process_now_ms();
        ready.fd = fd;
        ready.events = POLLIN;
        ready.revents = 0;
        if (left <= 0 || poll(&ready, 1, (int)left) <= 0) {
            fprintf(stderr, "emulator_process: no description within %d ms\n", EMULATOR_PROCESS_WAIT_MS);
            return -1;
        }
        got = read(fd, line + used, 1);
        if (got <= 0) {
            fprintf(stderr, "emulator_process: das emulator exited before describing itself\n");
            return -1;
        }
        if (line[used] == '\n') {
            line[used] = '\0';
            return 0;
        }
        used++;
    }
    fprintf(stderr, "emulator_process: description longer than %zu bytes\n", size);
    return -1;
}

/* Ends the JSON string starting at `at` in place, undoing the escapes the description uses
 * (\n in the CA's PEM, \" \\ \/). The character after its closing quote, or NULL. */
static inline char *emulator_process_string(char *at) {
    char *to = at;
    for (;;) {
        char c = *at++;
        if (c == '\0') return NULL;
        if (c == '"') break;
        if (c == '\\') {
            c = *at++;
            if (c == 'n') c = '\n';
            else if (c != '"' && c != '\\' && c != '/') return NULL;
        }
        *to++ = c;
    }
    *to = '\0';
    return at;
}

/* Splits a flat JSON object of string values in place. 0 on success. */
static inline int emulator_process_parse(emulator_process *emulator) {
    char *at = emulator->line;
    emulator->fields = 0;
    if (*at++ != '{') return -1;
    while (*at != '}') {
        char *key, *value;
        if (emulator->fields == EMULATOR_PROCESS_MAX_FIELDS || *at++ != '"') return -1;
        key = at;
        at = emulator_process_string(at);
        if (at == NULL || *at++ != ':' || *at++ != '"') return -1;
        value = at;
        at = emulator_process_string(at);
        if (at == NULL) return -1;
        emulator->keys[emulator->fields] = key;
        emulator->values[emulator->fields] = value;
        emulator->fields++;
        if (*at == ',') at++;
        else if (*at != '}') return -1;
    }
    return 0;
}

/* The value of one description field, e.g. "socketio_url"; NULL if absent. Lent until
 * emulator_process_stop. */
static inline const char *emulator_process_get(const emulator_process *emulator, const char *key) {
    int i;
    for (i = 0; i < emulator->fields; i++) {
        if (strcmp(emulator->keys[i], key) == 0) return emulator->values[i];
    }
    fprintf(stderr, "emulator_process: the description has no field %s\n", key);
    return NULL;
}

/* Stops the emulator (closes its standard input, then SIGKILL after EMULATOR_PROCESS_WAIT_MS)
 * and reaps it. 0 when it exited cleanly. */
static inline int emulator_process_stop(emulator_process *emulator) {
    long deadline = emulator_process_now_ms() + EMULATOR_PROCESS_WAIT_MS;
    int status = 0;
    if (emulator->pid <= 0) return 0;
    if (emulator->stdin_fd >= 0) close(emulator->stdin_fd);
    emulator->stdin_fd = -1;
    while (waitpid(emulator->pid, &status, WNOHANG) == 0) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        if (emulator_process_now_ms() > deadline) {
            fprintf(stderr, "emulator_process: das emulator ignored its closed stdin; killing it\n");
            kill(emulator->pid, SIGKILL);
            waitpid(emulator->pid, &status, 0);
            break;
        }
        nanosleep(&pause, NULL);
    }
    emulator->pid = 0;
    emulator->fields = 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Starts `das emulator --port 0 --json` and reads its description. 0 on success; otherwise a
 * message on stderr and nothing left running. */
static inline int emulator_process_start(emulator_process *emulator) {
    const char *program = getenv("DAS_BIN") != NULL ? getenv("DAS_BIN") : "das";
    int to_child[2], from_child[2];
    memset(emulator, 0, sizeof *emulator);
    emulator->stdin_fd = -1;
    if (pipe(to_child) != 0) return -1;
    if (pipe(from_child) != 0) {
        close(to_child[0]);
        close(to_child[1]);
        return -1;
    }
    /* Only the child may hold these ends, not programs this process starts later. */
    fcntl(to_child[1], F_SETFD, FD_CLOEXEC);
    fcntl(from_child[0], F_SETFD, FD_CLOEXEC);
    fflush(NULL);
    emulator->pid = fork();
    if (emulator->pid == 0) {
        char *argv[6];
        argv[0] = (char *)program;
        argv[1] = (char *)"emulator";
        argv[2] = (char *)"--port";
        argv[3] = (char *)"0";
        argv[4] = (char *)"--json";
        argv[5] = NULL;
        dup2(to_child[0], STDIN_FILENO);
        dup2(from_child[1], STDOUT_FILENO);
        close(to_child[0]);
        close(from_child[1]);
        execvp(program, argv);
        fprintf(stderr, "emulator_process: cannot run %s (set DAS_BIN to the das binary)\n", program);
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    emulator->stdin_fd = to_child[1];
    if (emulator->pid < 0 ||
        emulator_process_read_line(from_child[0], emulator->line, sizeof emulator->line,
                                   emulator_process_now_ms() + EMULATOR_PROCESS_WAIT_MS) != 0 ||
        emulator_process_parse(emulator) != 0) {
        fprintf(stderr, "emulator_process: no usable description from %s\n", program);
        close(from_child[0]);
        emulator_process_stop(emulator);
        return -1;
    }
    /* Nothing more comes on its stdout. */
    close(from_child[0]);
    return 0;
}

#endif
