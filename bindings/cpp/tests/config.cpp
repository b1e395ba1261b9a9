// The C++ wrapper: fluent Config, das::Error with code and message, move-only ownership.
#include <cstdio>
#include <string>
#include <utility>

#include "das.hpp"

static int total = 0;
static int failed = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        ++total;                                                                     \
        if (!(cond)) {                                                               \
            ++failed;                                                                \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

static void builds_a_valid_config() {
    das::Config config;
    config.endpoint_url("https://streaming.example")
        .token_url("https://auth.example/token")
        .client_credentials("client", "cpp-s3cret")
        .session_kind(DAS_SESSION_KIND_REGISTER)
        .metadata(DAS_METADATA_FIELD_CALL_ID, std::string_view("888806c3-3391-4d73-bb86-e5874e6ed5b4 ignored", 36))
        .authenticity_threshold(0.8)
        .score_threshold(0.9)
        .audio_total_duration(5.0)
        .audio_url("wss://audio.example/hook")
        .timeout_ms(DAS_TIMEOUT_RESULT, 2500)
        .trusted_roots(DAS_TRUSTED_ROOTS_SYSTEM);
    config.validate();
    CHECK(config.metadata(DAS_METADATA_FIELD_CALL_ID) == "888806c3-3391-4d73-bb86-e5874e6ed5b4");
    CHECK(config.metadata(DAS_METADATA_FIELD_SAMPLE_FORMAT).empty());
    CHECK(config.timeout_ms(DAS_TIMEOUT_RESULT) == 2500);
    std::string payload = config.initialize_json();
    CHECK(payload.find("\"register_request\"") != std::string::npos);
    CHECK(payload.find("\"score_threshold\":0.9") != std::string::npos);
    CHECK(config.to_json().find("cpp-s3cret") == std::string::npos);
    CHECK(config.to_json().find("\"trusted_roots\":\"system\"") != std::string::npos);
    CHECK(config.to_json().find("\"signalling_only\":false") != std::string::npos);
    config.signalling_only();
    CHECK(config.to_json().find("\"signalling_only\":true") != std::string::npos);

    das::Config moved = std::move(config);
    CHECK(moved.raw() != nullptr);
    CHECK(config.raw() == nullptr);
}

static void errors_carry_code_and_message() {
    das::Config config;
    try {
        config.audio_channels(5);
        CHECK(false);
    } catch (const das::Error &error) {
        CHECK(error.code() == DAS_RESULT_OUT_OF_RANGE);
        CHECK(std::string(error.what()) ==
              "DAS_RESULT_OUT_OF_RANGE: argument `channels` out of range: 5 is not 1 or 2");
    }
    try {
        config.extra_json(std::string_view());
        CHECK(false);
    } catch (const das::Error &error) {
        CHECK(error.code() == DAS_RESULT_PARSE);  // empty input is not JSON, and never NULL
    }
    try {
        config.validate();
        CHECK(false);
    } catch (const das::Error &error) {
        CHECK(error.code() == DAS_RESULT_NOT_READY);
    }
    try {
        config.metadata(DAS_METADATA_FIELD_CALL_ID);
        CHECK(false);
    } catch (const das::Error &error) {
        CHECK(error.code() == DAS_RESULT_NOT_READY);
    }
}

// An application-wide default, destroyed after main returns and after the thread's locals:
// libdas aborted the process in its destructor.
static das::Config destroyed_at_exit;

int main() {
    destroyed_at_exit.endpoint_url("http://127.0.0.1:1/socket.io");
    builds_a_valid_config();
    errors_carry_code_and_message();
    std::printf("cpp config: %d checks, %d failed\n", total, failed);
    return failed == 0 ? 0 : 1;
}
