// The C++ wrapper in an event loop, against the emulator process: sessions started with
// start_nonblocking() and driven by epoll on event_fd() alone (STARTED, audio pushed whenever
// the small audio buffer has room, the result, close_nonblocking(), the end), a registration
// then a verification whose result-success getters are read (authenticity, verdict, score,
// threshold, ...), and refused credentials reaching the loop as START_FAILED with the code and
// message the blocking start() throws.
#include "emulator_session.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "check.h"
#include "das.hpp"
#include "wav_data.h"

#define SPEAKER_A "samples/speaker-a.wav"
#define SPEAKER_A_VERIFY "samples/speaker-a-verify.wav"
#define FRAME_BYTES 1600
// Half a second of µ-law: the loop meets a full buffer long before the consumer has enough.
#define AUDIO_BUFFER_BYTES 4000

// An epoll set watching one session's descriptor (level-triggered). Declared after the session,
// so it is gone first: the descriptor leaves the set before the session frees it.
class EventLoop {
public:
    explicit EventLoop(const das::Session &session) : fd_(session.event_fd()), epoll_(epoll_create1(EPOLL_CLOEXEC)) {
        epoll_event interest{};
        interest.events = EPOLLIN;
        interest.data.fd = fd_;
        CHECK(epoll_ >= 0 && epoll_ctl(epoll_, EPOLL_CTL_ADD, fd_, &interest) == 0);
    }
    ~EventLoop() {
        epoll_ctl(epoll_, EPOLL_CTL_DEL, fd_, nullptr);
        close(epoll_);
    }
    EventLoop(const EventLoop &) = delete;
    EventLoop &operator=(const EventLoop &) = delete;

    // Whether the descriptor turns readable within `timeout_ms`.
    bool wait(int timeout_ms) {
        epoll_event ready{};
        return epoll_wait(epoll_, &ready, 1, timeout_ms) == 1;
    }

private:
    int fd_;
    int epoll_;
};

// The next event once the descriptor wakes (at most 30 s each time); std::nullopt once the
// session ended (or after 30 s of nothing, which the caller's checks then catch).
static std::optional<das::Event> next_event(das::Session &session, EventLoop &loop) {
    std::optional<das::Event> event = session.poll_event(0);
    while (!event && !session.ended() && loop.wait(30000)) event = session.poll_event(0);
    return event;
}

// The emulator's configuration with an audio buffer small enough for the loop to meet a full one.
static das::Config loop_config(const EmulatorProcess &emulator, std::string_view call_id,
                               std::optional<std::string_view> credential = std::nullopt) {
    das::Config config = emulator_config(emulator, call_id, credential);
    config.audio_buffer_bytes(AUDIO_BUFFER_BYTES);
    return config;
}

// The samples of a WAV file handed to a session as an event loop does: as much as the audio
// buffer takes, never waiting, the audio ended after the last byte.
class AudioFeed {
public:
    explicit AudioFeed(const char *wav) : audio_(nullptr, &std::free) {
        audio_.reset(wav_data(wav, &len_));
        CHECK(audio_ != nullptr && len_ > 0);
    }

    // Pushes frames until the buffer is full (a refusal) or the audio is all in.
    void push_what_fits(das::Session &session) {
        while (pending()) {
            std::size_t len = len_ - sent_ < FRAME_BYTES ? len_ - sent_ : FRAME_BYTES;
            try {
                if (!session.push_audio(audio_.get() + sent_, len)) {
                    refusals_++;
                    return;
                }
                sent_ += len;
                if (sent_ == len_) session.end_audio();
            } catch (const das::Error &error) {
                // The consumer closed the stream, having what it needs, before the
                // audio-ended event that says so was taken.
                CHECK(error.code() == DAS_RESULT_CLOSED);
                stop();
            }
        }
    }
    // The audio channel ended: nothing more is pushed.
    void stop() { stopped_ = true; }
    bool pending() const { return audio_ != nullptr && !stopped_ && sent_ < len_; }
    int refusals() const { return refusals_; }

private:
    std::unique_ptr<uint8_t, decltype(&std::free)> audio_;
    std::size_t len_ = 0;
    std::size_t sent_ = 0;
    int refusals_ = 0;
    bool stopped_ = false;
};

// Starts `config`'s session without blocking and streams the samples of `wav` through the loop
// until a result-success or -failure, which it returns; then closes without blocking and takes
// the rest of the events to the end.
static std::optional<das::Event> result_in_loop(const das::Config &config, const char *wav) {
    AudioFeed feed(wav);
    das::Session session(config);
    EventLoop loop(session);
    session.start_nonblocking();
    std::optional<das::Event> started = next_event(session, loop);
    CHECK(started && started->kind() == DAS_EVENT_KIND_STARTED);
    if (!started || started->kind() != DAS_EVENT_KIND_STARTED) return std::nullopt;
    CHECK(started->name() == "started");
    CHECK(started->json().find("\"call_id\":\"" + std::string(session.call_id()) + "\"") != std::string::npos);
    CHECK(!started->start_result());
    CHECK(thrown_by([&] { session.start_nonblocking(); }) == DAS_RESULT_ALREADY_STARTED);

    // Push what fits, then wait on the descriptor (10 ms at most while audio is left, for the
    // buffer to drain) and take every pending event.
    std::optional<das::Event> result;
    while (!result && !session.ended()) {
        feed.push_what_fits(session);
        if (!loop.wait(feed.pending() ? 10 : 30000) && !feed.pending()) {
            CHECK(false);  // nothing for 30 s
            break;
        }
        while (std::optional<das::Event> event = session.poll_event(0)) {
            das_event_kind kind = event->kind();
            if (kind == DAS_EVENT_KIND_AUDIO_ENDED) feed.stop();
            if (kind == DAS_EVENT_KIND_RESULT_SUCCESS || kind == DAS_EVENT_KIND_RESULT_FAILURE) {
                result = std::move(event);
                break;
            }
        }
    }
    CHECK(!session.ended());
    CHECK(feed.refusals() > 0);  // the buffer was full, and the loop went on

    session.close_nonblocking();
    session.close_nonblocking();  // idempotent
    const std::uint8_t byte = 0xff;
    CHECK(thrown_by([&] { session.push_audio(&byte, 1); }) == DAS_RESULT_CLOSED);
    while (next_event(session, loop)) {
    }
    CHECK(session.ended());
    CHECK(loop.wait(0));  // an ended session keeps its descriptor readable
    return result;
}

// A registration then a verification with its credential, each driven by the loop; the
// getters of both result-success events.
static void register_then_verify(const EmulatorProcess &emulator) {
    std::string credential;
    {
        std::optional<das::Event> registered = result_in_loop(loop_config(emulator, "cpp-loop-1"), SPEAKER_A);
        CHECK(registered && registered->kind() == DAS_EVENT_KIND_RESULT_SUCCESS);
        if (!registered) return;
        CHECK(registered->name() == "result-success");
        CHECK(registered->authenticity() > 0.0 && registered->authenticity() <= 1.0);
        CHECK(registered->voice_audio_collected() > 0.0);
        CHECK(registered->content() == "Registration: approved");
        CHECK(registered->verdict() == DAS_VERDICT_ACCEPTED);
        CHECK(!registered->score());      // a registration reports no similarity
        CHECK(!registered->threshold());  // nor does the session set one
        CHECK(!registered->reason() && !registered->message() && !registered->start_result());
        CHECK(registered->credential() && !registered->credential()->empty());
        if (registered->credential()) credential = std::string(*registered->credential());
    }

    das::Config config = loop_config(emulator, "cpp-loop-2", credential);
    config.score_threshold(0.5);
    std::optional<das::Event> verified = result_in_loop(config, SPEAKER_A_VERIFY);
    CHECK(verified && verified->kind() == DAS_EVENT_KIND_RESULT_SUCCESS);
    if (!verified) return;
    std::optional<double> score = verified->score();
    CHECK(score > 0.5 && score <= 1.0);  // the same speaker
    CHECK(verified->threshold() == 0.5);  // the session's, which the payload does not repeat
    CHECK(verified->verdict() == DAS_VERDICT_ACCEPTED);
    CHECK(verified->content() == "Verification: accepted");
    CHECK(verified->authenticity() > 0.0 && verified->authenticity() <= 1.0);
    CHECK(!verified->credential());
}

// Refused credentials: the blocking start() throws das::Error; the non-blocking start hands the
// loop a START_FAILED event with the same code and message, then the session ends.
static void refused_credentials_reach_the_loop(const EmulatorProcess &emulator) {
    das::Config config = loop_config(emulator, "cpp-loop-3");
    config.client_credentials(emulator.get("client_id"), "wrong-secret");
    std::string blocking_what;
    try {
        das::Session session(config);
        session.start();
        CHECK(false);
    } catch (const das::Error &error) {
        CHECK(error.code() == DAS_RESULT_AUTH);
        blocking_what = error.what();
    }

    das::Session session(config);
    EventLoop loop(session);
    session.start_nonblocking();
    std::optional<das::Event> failed = next_event(session, loop);
    CHECK(failed && failed->kind() == DAS_EVENT_KIND_START_FAILED);
    if (!failed) return;
    CHECK(failed->name() == "start-failed");
    CHECK(failed->start_result() == DAS_RESULT_AUTH);
    std::optional<std::string_view> message = failed->message();
    CHECK(message && !message->empty() && message->find("wrong-secret") == std::string_view::npos);
    // The loop can throw what the blocking start would have.
    if (message && failed->start_result()) {
        das::Error error(*failed->start_result(), std::string(*message));
        CHECK(error.code() == DAS_RESULT_AUTH && blocking_what == error.what());
    }
    CHECK(!failed->verdict() && !failed->score());
    CHECK(!next_event(session, loop) && session.ended());
    CHECK(thrown_by([&] { session.start_nonblocking(); }) == DAS_RESULT_CLOSED);
}

int main() {
    try {
        EmulatorProcess emulator;
        register_then_verify(emulator);
        refused_credentials_reach_the_loop(emulator);
    } catch (const std::exception &error) {
        std::fprintf(stderr, "unexpected exception: %s\n", error.what());
        CHECK(false);
    }
    CHECK_DONE("cpp event_loop");
}
