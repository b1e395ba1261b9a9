// The C++ wrapper's library-wide calls: version and ABI generation, the log level, and a
// das::LogCallback receiving libdas's log lines (filtered by the level, from any thread, never
// with a secret, an exception it throws dropped, nothing more once it is destroyed), through
// failing calls and a whole registration against the emulator at the most verbose level.
#include "emulator_session.hpp"

#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "check.h"
#include "das.hpp"

// What the callback received; it may run on libdas's threads.
class Lines {
public:
    void add(das_log_level level, std::string_view target, std::string_view message) {
        std::lock_guard<std::mutex> lock(mutex_);
        lines_.push_back({level, std::string(target), std::string(message), std::this_thread::get_id()});
    }
    // Whether a line came from a thread other than `thread`.
    bool from_other_than(std::thread::id thread) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const Line &line : lines_) {
            if (line.thread != thread) return true;
        }
        return false;
    }
    std::size_t size() {
        std::lock_guard<std::mutex> lock(mutex_);
        return lines_.size();
    }
    // Whether a line at `level` contains `text` (in its message, or its target with
    // `in_target`).
    bool has(das_log_level level, std::string_view text, bool in_target = false) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const Line &line : lines_) {
            const std::string &field = in_target ? line.target : line.message;
            if (line.level == level && field.find(text) != std::string::npos) return true;
        }
        return false;
    }
    // Whether any line, target or message, contains `text`.
    bool mention(std::string_view text) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const Line &line : lines_) {
            if (line.target.find(text) != std::string::npos || line.message.find(text) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

private:
    struct Line {
        das_log_level level;
        std::string target;
        std::string message;
        std::thread::id thread;
    };
    std::mutex mutex_;
    std::vector<Line> lines_;
};

static void version_and_abi() {
    std::string expected = std::to_string(DAS_VERSION_MAJOR) + "." + std::to_string(DAS_VERSION_MINOR) + "." +
                           std::to_string(DAS_VERSION_PATCH);
    CHECK(das::version() == expected);
    CHECK(das::abi_version() == DAS_ABI_VERSION);
}

static void lines_follow_the_level(Lines &lines) {
    das::Config config;
    das::LogCallback callback([&](das_log_level level, std::string_view target, std::string_view message) {
        lines.add(level, target, message);
    });
    // Failed calls are logged at debug level, below the default threshold (warn).
    CHECK(thrown_by([&] { config.audio_channels(9); }) == DAS_RESULT_OUT_OF_RANGE);
    CHECK(lines.size() == 0);
    das::set_log_level(DAS_LOG_LEVEL_DEBUG);
    CHECK(thrown_by([&] { config.audio_channels(9); }) == DAS_RESULT_OUT_OF_RANGE);
    CHECK(lines.has(DAS_LOG_LEVEL_DEBUG, "9 is not 1 or 2"));
    CHECK(lines.has(DAS_LOG_LEVEL_DEBUG, "DAS_RESULT_OUT_OF_RANGE"));
    CHECK(lines.has(DAS_LOG_LEVEL_DEBUG, "das", true));
    // Secrets stay out even when the call that carries them fails.
    CHECK(thrown_by([&] { config.client_credentials("", "hunter2-secret"); }) == DAS_RESULT_OUT_OF_RANGE);
    CHECK(thrown_by([&] { config.proxy("socks4://agent:s3cret-proxy@proxy:1080"); }) == DAS_RESULT_PARSE);
    CHECK(!lines.mention("hunter2") && !lines.mention("s3cret-proxy"));
    das::set_log_level(DAS_LOG_LEVEL_OFF);
    std::size_t before = lines.size();
    CHECK(thrown_by([&] { config.audio_channels(9); }) == DAS_RESULT_OUT_OF_RANGE);
    CHECK(lines.size() == before);
    das::set_log_level(DAS_LOG_LEVEL_WARN);
}

// A registration logged at debug level: lines come (from libdas's threads too), none carries the
// client secret or the voice credential.
static void a_session_logs_no_secret(Lines &lines, const EmulatorProcess &emulator) {
    std::string credential;
    {
        das::LogCallback callback([&](das_log_level level, std::string_view target, std::string_view message) {
            lines.add(level, target, message);
        });
        das::set_log_level(DAS_LOG_LEVEL_DEBUG);
        das::Session session(emulator_config(emulator, "cpp-logging"));
        session.start();
        std::vector<das::Event> events = events_to_the_outcome(session, "samples/speaker-a.wav");
        CHECK(events.back().kind() == DAS_EVENT_KIND_RESULT_SUCCESS);
        if (events.back().credential()) credential = std::string(*events.back().credential());
        session.close();
        das::set_log_level(DAS_LOG_LEVEL_WARN);
    }
    CHECK(lines.from_other_than(std::this_thread::get_id()));
    CHECK(!credential.empty() && !lines.mention(credential));
    CHECK(!lines.mention(emulator.get("client_secret")));
}

// The callback's exceptions are dropped; once destroyed it receives nothing.
static void a_throwing_callback_then_none(Lines &lines) {
    das::Config config;
    das::set_log_level(DAS_LOG_LEVEL_DEBUG);
    {
        das::LogCallback callback([&](das_log_level level, std::string_view target, std::string_view message) {
            lines.add(level, target, message);
            throw std::runtime_error("the callback failed");
        });
        CHECK(thrown_by([&] { config.audio_channels(7); }) == DAS_RESULT_OUT_OF_RANGE);
        CHECK(lines.has(DAS_LOG_LEVEL_DEBUG, "7 is not 1 or 2"));
        config.audio_channels(2);  // libdas goes on
    }
    std::size_t before = lines.size();
    CHECK(thrown_by([&] { config.audio_channels(5); }) == DAS_RESULT_OUT_OF_RANGE);
    CHECK(lines.size() == before);
    das::set_log_level(DAS_LOG_LEVEL_WARN);
}

int main() {
    try {
        version_and_abi();
        Lines failures;
        lines_follow_the_level(failures);
        EmulatorProcess emulator;
        Lines session;
        a_session_logs_no_secret(session, emulator);
        Lines thrown;
        a_throwing_callback_then_none(thrown);
    } catch (const std::exception &error) {
        std::fprintf(stderr, "unexpected exception: %s\n", error.what());
        CHECK(false);
    }
    CHECK_DONE("cpp logging");
}
