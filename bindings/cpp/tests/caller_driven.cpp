// The C++ wrapper in caller-driven mode, against the emulator process: das::run() is the only
// thing that runs the session (no libdas thread), a registration from start_nonblocking() to
// its result and close_nonblocking(), and the mode refused when asked for twice wrongly.
#include "emulator_session.hpp"

#include <cstdio>
#include <optional>

#include "check.h"
#include "das.hpp"

#define SPEAKER_A "samples/speaker-a.wav"

// Runs libdas until the session has an event (at most `runs` × 100 ms).
static std::optional<das::Event> run_until_event(das::Session &session, int runs) {
    std::optional<das::Event> event = session.poll_event(0);
    while (!event && !session.ended() && runs-- > 0) {
        das::run(100);
        event = session.poll_event(0);
    }
    return event;
}

static void registration_driven_by_run(const EmulatorProcess &emulator) {
    das::Session session(emulator_config(emulator, "cpp-driven-1"));
    session.start_nonblocking();
    std::optional<das::Event> started = run_until_event(session, 300);
    CHECK(started && started->kind() == DAS_EVENT_KIND_STARTED);
    session.push_wav(SPEAKER_A); // a blocking call: it runs the session while it waits
    session.end_audio();
    int results = 0;
    while (std::optional<das::Event> event = run_until_event(session, 300)) {
        if (event->kind() == DAS_EVENT_KIND_RESULT_SUCCESS) {
            results++;
            break;
        }
    }
    CHECK(results == 1);
    session.close_nonblocking();
    while (run_until_event(session, 100)) {
    }
    CHECK(session.ended());
}

int main() {
    try {
        CHECK(thrown_by([] { das::run(0); }) == DAS_RESULT_NOT_READY);
        das::runtime_caller_driven();
        das::runtime_caller_driven();
        CHECK(!das::run(0));
        EmulatorProcess emulator;
        registration_driven_by_run(emulator);
    } catch (const std::exception &error) {
        std::fprintf(stderr, "unexpected exception: %s\n", error.what());
        CHECK(false);
    }
    CHECK_DONE("cpp caller_driven");
}
