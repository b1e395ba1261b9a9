// The C++ wrapper over webhooks: parse, every getter on the fixtures the C webhook test reads
// (segments, hypotheses, words, output channels), optional fields, typed exceptions, and the
// receiver's deliveries (root and named callbacks).
#include <cmath>
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

static bool close_to(double a, double b) { return std::fabs(a - b) < 1e-9; }

static std::string read(const char *path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// Whether `call` throws das::Error with DAS_RESULT_OUT_OF_RANGE.
template <typename Call>
static bool out_of_range(Call call) {
    try {
        call();
    } catch (const das::Error &error) {
        return error.code() == DAS_RESULT_OUT_OF_RANGE;
    }
    return false;
}

int main() {
    std::string body = read("tests/fixtures/trd/completed_stereo_two_channels.json");
    das::Webhook webhook = das::Webhook::parse(body);
    CHECK(webhook.job_id() == "64b7f1c2a9e3d45f10c2b7a2");
    CHECK(webhook.job_status() == DAS_JOB_STATUS_COMPLETED);
    CHECK(webhook.segment_count() == 4);
    CHECK(webhook.alternative_text(0, 0) == "bom dia em que posso ajudar");
    das::Segment segment = webhook.segment(1);
    CHECK(close_to(segment.start, 2.9) && close_to(segment.end, 5.1) && segment.channel == 2);
    CHECK(webhook.segment_speaker(0) == "1");
    CHECK(webhook.segment_status(0) == "RECOGNIZED");
    CHECK(webhook.alternative_count(0) == 1);
    CHECK(webhook.alternative_score(0, 0) == 95.0);
    CHECK(webhook.word_count(3, 0) == 5);
    CHECK(webhook.word_text(3, 0, 2) == "tr\xc3\xaas");
    das::WordTimes times = webhook.word_times(0, 0, 1);
    CHECK(close_to(times.start, 0.35) && close_to(times.end, 0.63));
    CHECK(webhook.channel_count() == 2);
    std::optional<das::OutputChannel> second = webhook.channel(1);
    CHECK(second && second->channel == 2 && close_to(second->seconds, 12.5));
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
    CHECK(out_of_range([&] { moved.segment(4); }));
    CHECK(out_of_range([&] { moved.word_times(0, 0, 6); }));
    CHECK(out_of_range([&] { moved.word_text(0, 0, 6); }));
    CHECK(out_of_range([&] { moved.channel(2); }));
    CHECK(out_of_range([&] { moved.alternative_count(4); }));
    {
        // Fields the service left out.
        das::Webhook sparse = das::Webhook::parse(
            "{\"job\":{\"id\":\"j1\",\"status\":\"STOPPED\"},"
            "\"segments\":[{\"channel\":1,\"start\":0,\"end\":1,\"alternatives\":[{\"text\":\"oi\"}]}]}");
        CHECK(!sparse.segment_speaker(0) && !sparse.segment_status(0) && !sparse.alternative_score(0, 0));
        CHECK(sparse.word_count(0, 0) == 0 && sparse.channel_count() == 0);
        CHECK(sparse.segment(0).channel == 1 && close_to(sparse.segment(0).end, 1.0));
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
            CHECK(!delivery->name());  // the root route
            CHECK(delivery->body() == body);
            CHECK(!delivery->duplicate() && !delivery->recovered());
            CHECK(delivery->webhook().segment_count() == 4);
            delivery->ack();
        }
        CHECK(http_post(url_port(url.c_str()), "/hook/64b7f1c2a9e3d45f10c2b7a2", body.data(), body.size()) == 200);
        std::optional<das::Delivery> named = receiver.next_delivery(10000);
        CHECK(named && named->name() == "hook");
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
