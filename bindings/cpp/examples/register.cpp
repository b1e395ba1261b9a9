// register.cpp: the documented das-Peak Streaming workflow with the das.hpp RAII wrappers.
// Runs offline against the emulator, started as a child process (`das emulator`, found as
// $DAS_BIN or on PATH) by the test helper bindings/cpp/tests/emulator_process.hpp:
//   ./register [file.wav]
#include "../tests/emulator_process.hpp"

#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>

#include "das.hpp"

int main(int argc, char **argv) {
    const std::string wav = argc > 1 ? argv[1] : "samples/speaker-a.wav";
    try {
        EmulatorProcess emulator;
        das::Config config;
        config.endpoint_url(emulator.get("socketio_url"))
            .token_url(emulator.get("token_url"))
            .client_credentials(emulator.get("client_id"), emulator.get("client_secret"))
            .session_kind(DAS_SESSION_KIND_REGISTER)
            .metadata(DAS_METADATA_FIELD_CALL_ID, "888806c3-3391-4d73-bb86-e5874e6ed5b4")
            .authenticity_threshold(0.8)
            .audio_total_duration(3.0)
            .model_hash("<MODEL_HASH>")
            .audio_protocol(DAS_AUDIO_PROTOCOL_TWILIO)
            .audio_url(emulator.get("twilio_url"));

        das::Session session(config);
        session.start();
        std::cout << "session started, call_id " << session.call_id() << "\n";
        session.push_wav(wav);
        session.end_audio();

        bool approved = false;
        while (!session.ended()) {
            std::optional<das::Event> event = session.poll_event(30000);
            if (!event) {
                if (!session.ended()) throw std::runtime_error("no event for 30 s");
                break;
            }
            switch (event->kind()) {
            case DAS_EVENT_KIND_RESULT_SUCCESS:
                approved = true;
                std::cout << event->name() << ": authenticity=" << event->authenticity().value_or(-1)
                          << " content=\"" << event->content().value_or("") << "\" credential=<"
                          << event->credential().value_or("").size() << " bytes>\n";
                session.close();
                break;
            default:
                std::cout << event->name() << ": " << event->json() << "\n";
                // The result-failure, an error, a channel refused before any audio.
                if (event->is_final()) session.close();
                break;
            }
        }
        return approved ? 0 : 1;
    } catch (const das::Error &error) {
        std::cerr << "libdas: " << error.what() << "\n";
        return 1;
    } catch (const std::exception &error) {
        std::cerr << error.what() << "\n";
        return 1;
    }
}
