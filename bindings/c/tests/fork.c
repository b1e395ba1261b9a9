/* A child forked after its parent ran sessions (a pre-fork server's workers) runs its own: the
 * parent's runtime has no thread in the child, so the child's first blocking call used to wait
 * on it past every timeout. */
#include "emulator_session.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Bound on the child's whole run: a child that hangs is killed and the check fails. */
#define CHILD_SECONDS 120

/* A signalling-only session's first event kind; -1 when the session could not start. */
static int first_event_kind(const emulator_process *emulator, const char *call_id) {
    das_config *config = emulator_config(emulator, call_id, NULL);
    das_session *session = NULL;
    das_event *event = NULL;
    int kind = -1;
    CHECK_RESULT(das_config_set_signalling_only(config, true), DAS_RESULT_OK);
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    if (das_session_start(session) == DAS_RESULT_OK &&
        das_session_poll_event(session, 30000, &event) == DAS_RESULT_OK) {
        kind = (int)das_event_get_kind(event);
        das_event_free(event);
    }
    das_session_close(session);
    das_session_free(session);
    das_config_free(config);
    return kind;
}

/* In the child: runs its own session and writes '0' to `report` when it reached
 * info-consumer-ready ('1' otherwise). Then ends with SIGKILL rather than exit: a leak checker
 * would list what the parent's threads left in the copied memory (valgrind and LeakSanitizer
 * run at exit; neither can see the stacks of threads that do not exist in the child). */
static void child_session(const emulator_process *emulator, int report) {
    int kind = first_event_kind(emulator, "6d2b9c1e-3f4a-4b5c-8d7e-1f2a3b4c5d6e");
    char outcome = kind == (int)DAS_EVENT_KIND_CONSUMER_READY && check_failed == 0 ? '0' : '1';
    if (write(report, &outcome, 1) != 1) _exit(2);
    kill(getpid(), SIGKILL);
    _exit(3);
}

/* The child's report, waiting at most CHILD_SECONDS: '0' for success; 'h' when it hung and was
 * killed; 'x' when it ended without a report. */
static char child_report(pid_t child, int report) {
    struct pollfd ready = {report, POLLIN, 0};
    char outcome = 'x';
    if (poll(&ready, 1, CHILD_SECONDS * 1000) != 1) {
        fprintf(stderr, "the forked child hung for %d s\n", CHILD_SECONDS);
        outcome = 'h';
    } else if (read(report, &outcome, 1) != 1) {
        outcome = 'x';
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return outcome;
}

int main(void) {
    emulator_process emulator;
    if (emulator_process_start(&emulator) != 0) return 1;
    /* The parent's runtime runs. */
    CHECK(first_event_kind(&emulator, "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d") ==
          (int)DAS_EVENT_KIND_CONSUMER_READY);
    int report[2];
    CHECK(pipe(report) == 0);
    fflush(NULL);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        close(report[0]);
        child_session(&emulator, report[1]);
    }
    close(report[1]);
    char outcome = child_report(child, report[0]);
    CHECK(outcome == '0');
    close(report[0]);
    /* The parent's runtime still runs. Not asked after a failed child: one that used the
     * parent's runtime registered its sockets in the epoll set the two share, and the parent's
     * next wait could hang instead of failing the check above. */
    if (outcome == '0') {
        CHECK(first_event_kind(&emulator, "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f") ==
              (int)DAS_EVENT_KIND_CONSUMER_READY);
    }
    CHECK(emulator_process_stop(&emulator) == 0);
    CHECK_DONE("fork");
}
