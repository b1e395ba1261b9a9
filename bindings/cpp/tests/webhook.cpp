// The C++ wrapper over webhooks: parse, views, optional fields, typed exceptions.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "das.hpp"
#include "http_post.h"

static int total = 0;
static int failed = 0;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        ++total;                                                                           \
        if (!(cond)) {                                                                     \
            ++failed;                                                                      \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                                  \
    } while (0)

static std::string read(const char *path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

int main() {
    std::string body = read("tests/fixtures/trd/completed_stereo_two_channels.json");
    das::Webhook webhook = das::Webhook::parse(body);
    CHECK(webhook.job_id() == "64b7f1c2a9e3d45f10c2b7a2");
    CHECK(webhook.job_status() == DAS_JOB_STATUS_COMPLETED);
    CHECK(webhook.segment_count() == 4);
    CHECK(webhook.alternative_text(0, 0) == "bom dia em que posso ajudar");
    CHECK(webhook.transcript_of_channel(1).substr(0, 7) == "bom dia");
    CHECK(webhook.failure_reason().has_value());
    CHECK(webhook.token_matches("a8281f88-1b3c-43b5-8fdf-79c35652e112"));
    CHECK(!webhook.token_matches("nope"));
    das::Webhook moved = std::move(webhook);
    CHECK(moved.status() == "COMPLETED");

    try {
        das::Webhook::parse("{\"job\": {\"id\": 7}}");
        CHECK(false);
    } catch (const das::Error &error) {
        CHECK(error.code() == DAS_RESULT_PARSE);
        CHECK(std::string(error.what()).find("job.id") != std::string::npos);
    }
    try {
        moved.alternative_text(9, 0);
        CHECK(false);
    } catch (const das::Error &error) {
        CHECK(error.code() == DAS_RESULT_OUT_OF_RANGE);
    }
    {
        das::ReceiverOptions options;
        options.tls = DAS_TLS_MODE_PLAIN;
        options.token = "a8281f88-1b3c-43b5-8fdf-79c35652e112";
        das::WebhookReceiver receiver(options);
        CHECK(!receiver.certificate_pem().has_value());
        CHECK(!receiver.next_delivery(0).has_value());
        std::string url(receiver.url());
        CHECK(http_post(url_port(url.c_str()), "/64b7f1c2a9e3d45f10c2b7a2", body.data(), body.size()) == 200);
        std::optional<das::Delivery> delivery = receiver.next_delivery(10000);
        CHECK(delivery.has_value());
        if (delivery) {
            CHECK(delivery->job_id() == "64b7f1c2a9e3d45f10c2b7a2");
            CHECK(delivery->body() == body);
            CHECK(!delivery->duplicate() && !delivery->recovered());
            CHECK(delivery->webhook().segment_count() == 4);
            delivery->ack();
        }
        receiver.stop();
        CHECK(!receiver.next_delivery(1000).has_value());
    }
    try {
        das::ReceiverOptions options;
        options.host = "not-an-ip";
        das::WebhookReceiver receiver(options);
        CHECK(false);
    } catch (const das::Error &error) {
        CHECK(error.code() == DAS_RESULT_PARSE);
    }
    std::printf("cpp webhook: %d checks, %d failed\n", total, failed);
    return failed == 0 ? 0 : 1;
}
