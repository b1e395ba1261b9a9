// The C++ wrapper's view of what the server sends, against emulator processes: every Socket.IO
// argument of an event (an emulator that sends the collected audio as a second, binary argument
// of result-success, then one that nests it in the payload in binary), and disconnected events that say whether they came before the result
// (the emulator's drop_signalling_after_events fault, then an emulator that goes away after it).
#include "emulator_session.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "das.hpp"

#define SPEAKER_A "samples/speaker-a.wav"

// The last event of `events`, when it is of `kind`.
static const das::Event *last_of_kind(const std::vector<das::Event> &events, das_event_kind kind) {
    return !events.empty() && events.back().kind() == kind ? &events.back() : nullptr;
}

static void result_success_lists_its_arguments() {
    setenv("DAS_EMULATOR_SEND_COLLECTED_AUDIO", "true", 1);
    EmulatorProcess emulator;
    unsetenv("DAS_EMULATOR_SEND_COLLECTED_AUDIO");
    das::Session session(emulator_config(emulator, "cpp-arguments"));
    session.start();
    std::vector<das::Event> events = events_to_the_outcome(session, SPEAKER_A);
    const das::Event *result = last_of_kind(events, DAS_EVENT_KIND_RESULT_SUCCESS);
    CHECK(result != nullptr);
    if (result == nullptr) return;

    CHECK(result->argument_count() == 2);
    std::optional<std::string_view> payload = result->argument_json(0);
    // das-Peak's payload is a JSON string: its text is quoted, json() is it decoded.
    CHECK(payload && payload->front() == '"' && payload->find("result-success") != std::string_view::npos);
    CHECK(result->json().front() == '{');
    std::optional<std::string_view> audio = result->argument_bytes(1);
    std::optional<std::string_view> collected = result->collected_audio();
    CHECK(audio && collected && audio->size() >= 3 * 8000);  // µ-law, 8 kHz, the 3 s asked
    CHECK(audio && collected && audio->data() == collected->data() && audio->size() == collected->size());
    CHECK(!result->argument_bytes(0));  // JSON, not binary
    CHECK(!result->argument_json(1));   // binary, not JSON
    CHECK(thrown_by([&] { result->argument_json(2); }) == DAS_RESULT_OUT_OF_RANGE);
    CHECK(thrown_by([&] { result->argument_bytes(2); }) == DAS_RESULT_OUT_OF_RANGE);
    CHECK(!result->before_result());  // not a disconnected event

    // The events before it carry their payload alone.
    CHECK(events.front().kind() == DAS_EVENT_KIND_CONSUMER_READY);
    CHECK(events.front().argument_count() == 1);
    CHECK(events.front().argument_json(0) &&
          events.front().argument_json(0)->find("info-consumer-ready") != std::string_view::npos);
}

static void audio_nested_in_the_payload_is_an_attachment() {
    setenv("DAS_EMULATOR_SEND_COLLECTED_AUDIO", "true", 1);
    setenv("DAS_EMULATOR_COLLECTED_AUDIO_IN_PAYLOAD", "true", 1);
    EmulatorProcess emulator;
    unsetenv("DAS_EMULATOR_SEND_COLLECTED_AUDIO");
    unsetenv("DAS_EMULATOR_COLLECTED_AUDIO_IN_PAYLOAD");
    das::Session session(emulator_config(emulator, "cpp-nested"));
    session.start();
    std::vector<das::Event> events = events_to_the_outcome(session, SPEAKER_A);
    const das::Event *result = last_of_kind(events, DAS_EVENT_KIND_RESULT_SUCCESS);
    CHECK(result != nullptr);
    if (result == nullptr) return;
    CHECK(result->argument_count() == 1);
    CHECK(result->json().find("{\"_placeholder\":true,\"num\":0}") != std::string_view::npos);
    std::optional<std::string_view> attachment = result->attachment(0);
    std::optional<std::string_view> collected = result->collected_audio();
    CHECK(attachment && collected && attachment->data() == collected->data() &&
          attachment->size() == collected->size() && attachment->size() >= 3 * 8000);
    CHECK(!result->attachment(1));
    CHECK(!events.front().attachment(0));  // nothing nested in info-consumer-ready
}

// An emulator whose settings file (DAS_EMULATOR_SETTINGS) holds `json`.
class EmulatorWithSettings {
public:
    explicit EmulatorWithSettings(const std::string &json) {
        char path[] = "/tmp/das-cpp-events-XXXXXX.json";  // .json: read as JSON, not TOML
        int fd = mkstemps(path, 5);
        CHECK(fd >= 0);
        if (fd >= 0) close(fd);
        path_ = path;
        std::ofstream(path_) << json;
        setenv("DAS_EMULATOR_SETTINGS", path_.c_str(), 1);
        emulator_.emplace();
        unsetenv("DAS_EMULATOR_SETTINGS");
    }
    ~EmulatorWithSettings() { std::remove(path_.c_str()); }
    const EmulatorProcess &get() const { return *emulator_; }

private:
    std::string path_;
    std::optional<EmulatorProcess> emulator_;
};

static void a_dropped_signalling_is_before_the_result() {
    EmulatorWithSettings emulator(R"({"faults": {"drop_signalling_after_events": 2}})");
    das::Session session(emulator_config(emulator.get(), "cpp-dropped"));
    session.start();
    std::vector<das::Event> events = events_to_the_outcome(session, SPEAKER_A);
    const das::Event *disconnected = last_of_kind(events, DAS_EVENT_KIND_DISCONNECTED);
    CHECK(disconnected != nullptr);
    if (disconnected == nullptr) return;
    CHECK(disconnected->before_result() == true);
    CHECK(disconnected->reason() && disconnected->reason()->find("server disconnected") != std::string_view::npos);
    CHECK(disconnected->argument_count() == 0);  // a local event
    CHECK(thrown_by([&] { disconnected->argument_json(0); }) == DAS_RESULT_OUT_OF_RANGE);
    CHECK(!events.front().before_result());
}

static void a_service_gone_after_the_result_is_not_before_it() {
    std::optional<EmulatorProcess> emulator;
    emulator.emplace();
    das::Session session(emulator_config(*emulator, "cpp-gone"));
    session.start();
    std::vector<das::Event> events = events_to_the_outcome(session, SPEAKER_A);
    CHECK(last_of_kind(events, DAS_EVENT_KIND_RESULT_SUCCESS) != nullptr);
    emulator.reset();  // the service goes away: the transport closes
    std::optional<das::Event> disconnected;
    while (std::optional<das::Event> event = session.poll_event(30000)) {
        if (event->kind() == DAS_EVENT_KIND_DISCONNECTED) disconnected = std::move(event);
    }
    CHECK(disconnected.has_value());
    if (disconnected) CHECK(disconnected->before_result() == false);
}

int main() {
    try {
        result_success_lists_its_arguments();
        audio_nested_in_the_payload_is_an_attachment();
        a_dropped_signalling_is_before_the_result();
        a_service_gone_after_the_result_is_not_before_it();
    } catch (const std::exception &error) {
        std::fprintf(stderr, "unexpected exception: %s\n", error.what());
        CHECK(false);
    }
    CHECK_DONE("cpp events");
}
