// emulator_session.hpp: what the C++ session tests share: a registration (or verification)
// configuration for the emulator's Twilio consumer, the code a throwing call carries, and a
// blocking session's events. Include it before any other header (it includes
// emulator_process.hpp).
#ifndef DAS_EMULATOR_SESSION_HPP
#define DAS_EMULATOR_SESSION_HPP

#include "emulator_process.hpp"

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "check.h"
#include "das.hpp"

// A register (or, with a credential, verify) configuration for the emulator's Twilio consumer,
// sending audio as fast as the consumer takes it.
static inline das::Config emulator_config(const EmulatorProcess &emulator, std::string_view call_id,
                                          std::optional<std::string_view> credential = std::nullopt) {
    das::Config config;
    config.endpoint_url(emulator.get("socketio_url"))
        .token_url(emulator.get("token_url"))
        .client_credentials(emulator.get("client_id"), emulator.get("client_secret"))
        .session_kind(credential ? DAS_SESSION_KIND_VERIFY : DAS_SESSION_KIND_REGISTER)
        .metadata(DAS_METADATA_FIELD_CALL_ID, call_id)
        .authenticity_threshold(0.5)
        .audio_total_duration(3.0)
        .model_hash("emulated-model")
        .audio_protocol(DAS_AUDIO_PROTOCOL_TWILIO)
        .audio_url(emulator.get("twilio_url"))
        .audio_pacing(DAS_AUDIO_PACING_AS_FAST_AS_POSSIBLE);
    if (credential) config.credential(*credential);
    return config;
}

// The code das::Error carries for a call that must throw, or DAS_RESULT_OK when it did not.
template <typename Call>
static das_result thrown_by(Call call) {
    try {
        call();
    } catch (const das::Error &error) {
        return error.code();
    }
    return DAS_RESULT_OK;
}

// Streams `wav` through a started `session` and returns its events up to and including the
// first result-* or disconnected one (30 s at most between two events).
static inline std::vector<das::Event> events_to_the_outcome(das::Session &session, const char *wav) {
    std::vector<das::Event> events;
    session.push_wav(wav);
    session.end_audio();
    while (std::optional<das::Event> event = session.poll_event(30000)) {
        das_event_kind kind = event->kind();
        events.push_back(std::move(*event));
        if (kind == DAS_EVENT_KIND_RESULT_SUCCESS || kind == DAS_EVENT_KIND_RESULT_FAILURE ||
            kind == DAS_EVENT_KIND_DISCONNECTED) {
            break;
        }
    }
    CHECK(!events.empty());
    return events;
}

#endif
