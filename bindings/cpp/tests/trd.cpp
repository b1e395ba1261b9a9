// The C++ wrapper over TRD against the emulator's TRD side: the free calls (whoami, a
// license-server token, webhook/validate), das::TrdClient with each kind of credentials, jobs
// transcribed by polling and through a shared receiver, the job calls, listing, queries,
// deletion, results read with the segment getters, a wait that runs out (stopping the job when
// asked), and the typed exceptions of bad input.
#include "emulator_session.hpp"

#include <cstdio>
#include <optional>
#include <string>

#include "check.h"
#include "das.hpp"

// The emulator's TRD endpoints and credentials (the views in the options borrow these).
struct Trd {
    explicit Trd(const EmulatorProcess &emulator)
        : url(emulator.get("trd_url")), token(emulator.get("trd_token")),
          license_url(emulator.get("trd_license_url")), user(emulator.get("trd_license_user")),
          password(emulator.get("trd_license_password")) {}

    das::TrdClient client() const {
        das::TrdClientOptions options;
        options.base_url = url;
        options.bearer = token;
        return das::TrdClient(options);
    }

    std::string url, token, license_url, user, password;
};

// A URL nothing listens on: a receiver's, once it is gone.
static std::string dead_url() {
    das::ReceiverOptions options;
    options.tls = DAS_TLS_MODE_PLAIN;
    return std::string(das::WebhookReceiver(options).url());
}

static void free_calls(const Trd &trd) {
    CHECK(das::trd_whoami(trd.url, trd.token, 5000) == "127.0.0.1");
    CHECK(thrown_by([&] { das::trd_whoami(trd.url, "wrong", 5000); }) == DAS_RESULT_AUTH);
    CHECK(thrown_by([&] { das::trd_whoami(trd.url, "", 5000); }) == DAS_RESULT_AUTH);  // no header

    std::string issued = das::trd_license_token(trd.license_url, trd.user, trd.password, 5000);
    CHECK(!issued.empty() && issued != trd.token);
    CHECK(das::trd_whoami(trd.url, issued, 5000) == "127.0.0.1");
    CHECK(thrown_by([&] { das::trd_license_token(trd.license_url, trd.user, "wrong", 5000); }) == DAS_RESULT_AUTH);
    CHECK(thrown_by([&] { das::trd_license_token("no url", trd.user, "x", 5000); }) == DAS_RESULT_PARSE);

    das::ReceiverOptions options;
    options.tls = DAS_TLS_MODE_PLAIN;
    options.token = "hook-token";
    das::WebhookReceiver receiver(options);
    CHECK(das::trd_validate(trd.url, trd.token, receiver.url(), "hook-token", "", 10000));
    CHECK(!das::trd_validate(trd.url, trd.token, dead_url(), "hook-token", "", 10000));
    CHECK(thrown_by([&] { das::trd_validate(trd.url, "wrong", receiver.url(), std::nullopt, "", 10000); }) == DAS_RESULT_AUTH);
    // An empty token is refused before anything is sent, unreachable API or not.
    CHECK(thrown_by([&] { das::trd_validate(trd.url, trd.token, receiver.url(), "", "", 10000); }) == DAS_RESULT_INVALID_TOKEN);
    CHECK(thrown_by([&] { das::trd_validate("http://127.0.0.1:1/trd/v3", trd.token, receiver.url(), "", "", 10000); }) == DAS_RESULT_INVALID_TOKEN);
}

static void clients_and_their_credentials(const Trd &trd) {
    das::TrdClient client = trd.client();
    CHECK(client.whoami() == "127.0.0.1");
    das::ReceiverOptions options;
    options.tls = DAS_TLS_MODE_PLAIN;
    das::WebhookReceiver receiver(options);
    CHECK(client.validate(receiver.url(), "hook-token"));
    CHECK(!client.validate(dead_url()));
    CHECK(thrown_by([&] { client.validate(receiver.url(), ""); }) == DAS_RESULT_INVALID_TOKEN);
    // A receiver whose token came from an unset setting ("") would accept any body: refused.
    das::ReceiverOptions unset_token;
    unset_token.tls = DAS_TLS_MODE_PLAIN;
    unset_token.token = "";
    CHECK(thrown_by([&] { das::WebhookReceiver refused(unset_token); }) == DAS_RESULT_INVALID_TOKEN);

    das::TrdClientOptions licensed;
    licensed.base_url = trd.url;
    licensed.license_url = trd.license_url;
    licensed.username = trd.user;
    licensed.password = trd.password;
    licensed.timeout_ms = 5000;
    CHECK(das::TrdClient(licensed).whoami() == "127.0.0.1");
    licensed.password = "wrong";
    CHECK(thrown_by([&] { das::TrdClient(licensed).whoami(); }) == DAS_RESULT_AUTH);

    das::TrdClientOptions wrong;
    wrong.base_url = trd.url;
    wrong.bearer = "wrong";
    CHECK(thrown_by([&] { das::TrdClient(wrong).whoami(); }) == DAS_RESULT_AUTH);
    wrong.username = "user";
    wrong.password = "pass";
    CHECK(thrown_by([&] { das::TrdClient client(wrong); }) == DAS_RESULT_OUT_OF_RANGE);  // two kinds
    das::TrdClientOptions bad_url;
    bad_url.base_url = "ftp://x";
    CHECK(thrown_by([&] { das::TrdClient client(bad_url); }) == DAS_RESULT_PARSE);
}

static void jobs_by_polling(const Trd &trd) {
    das::TrdClient client = trd.client();
    das::TrdJob job("samples/speaker-a.wav");
    job.add(DAS_TRD_JOB_FIELD_CONFIG, "diarization.descriptor.enabled=True").add(DAS_TRD_JOB_FIELD_TAG, "cpp-poll");
    das::Webhook result = client.transcribe(job, 20000);
    CHECK(result.job_status() == DAS_JOB_STATUS_COMPLETED);
    std::string id(result.job_id());
    CHECK(id.size() == 24);
    // The emulator's segments are the recording's speech, without text (no transcript sent).
    CHECK(result.segment_count() > 0);
    if (result.segment_count() > 0) {
        das::Segment first = result.segment(0);
        CHECK(first.start >= 0 && first.end > first.start && first.channel == 1);
        CHECK(result.segment_speaker(0) == "1");
        CHECK(result.segment_status(0) == "NO_MATCH");
        CHECK(result.alternative_count(0) == 0);
    }
    CHECK(result.channel_count() == 1);
    std::optional<das::OutputChannel> channel = result.channel(0);
    CHECK(channel && channel->channel == 1 && channel->seconds > 3.0);

    CHECK(client.call(DAS_TRD_JOB_CALL_STATUS, id).job_status() == DAS_JOB_STATUS_COMPLETED);
    CHECK(client.call(DAS_TRD_JOB_CALL_RESULT, id).job_id() == id);
    CHECK(client.call(DAS_TRD_JOB_CALL_RETRY, id).job_status() == DAS_JOB_STATUS_QUEUED);

    das::Webhook created = client.create_job(das::TrdJob("samples/speaker-b.wav").add(DAS_TRD_JOB_FIELD_TAG, "cpp-other"));
    std::string other(created.job_id());
    CHECK(other.size() == 24 && other != id);
    std::string listing = client.list_jobs(0, 0, "cpp-poll");
    CHECK(listing.find(id) != std::string::npos && listing.find(other) == std::string::npos);
    CHECK(listing.find("\"total\":1") != std::string::npos);
    CHECK(listing.size() > 256);  // longer than the first guess: asked again with its size
    CHECK(client.list_jobs(0, 0, "no-such-tag").find("\"total\":0") != std::string::npos);
    // One job a page: the first page holds one of the two, the second the other.
    std::string first = client.list_jobs(1, 1), second = client.list_jobs(2, 1);
    CHECK(first.find("\"total\":2") != std::string::npos);
    CHECK((first.find(id) != std::string::npos) != (first.find(other) != std::string::npos));
    CHECK((second.find(id) != std::string::npos) == (first.find(other) != std::string::npos));
    CHECK((second.find(other) != std::string::npos) == (first.find(id) != std::string::npos));

    das::TrdQuery query = client.query(R"({"tags": ["cpp-poll"], "projection": ["filename"]})");
    std::optional<das::Webhook> record = query.next();
    CHECK(record && record->job_id() == id);
    CHECK(!query.next());
    CHECK(thrown_by([&] { client.query(R"({"tagz": 1})"); }) == DAS_RESULT_PARSE);

    client.delete_job(id);
    CHECK(thrown_by([&] { client.call(DAS_TRD_JOB_CALL_RESULT, id); }) == DAS_RESULT_NOT_FOUND);
    CHECK(thrown_by([&] { client.delete_job(id); }) == DAS_RESULT_NOT_FOUND);
}

static void jobs_through_a_shared_receiver(const Trd &trd) {
    das::TrdClient client = trd.client();
    das::TrdWebhooksOptions options;
    // Plain HTTP: valgrind takes ring's AES assembly for reads of uninitialised memory.
    options.plain_http = true;
    options.validate = true;
    das::TrdWebhooks webhooks = client.start_webhooks(options);
    CHECK(webhooks.url().substr(0, 17) == "http://127.0.0.1:");
    das::TrdJob job("samples/speaker-b.wav");
    job.add(DAS_TRD_JOB_FIELD_TAG, "cpp-hook");
    for (int i = 0; i < 2; i++) {
        das::Webhook result = client.transcribe(job, webhooks, 20000);
        CHECK(result.job_status() == DAS_JOB_STATUS_COMPLETED);
        // The receiver's URL was the job's callback URL.
        CHECK(result.to_json().find(std::string(webhooks.url())) != std::string_view::npos);
    }
}

// A wait that runs out throws DAS_RESULT_TIMEOUT; with stop_on_timeout the job is stopped too.
static void a_timeout_stops_the_job_when_asked(const Trd &trd) {
    das::TrdClient client = trd.client();
    das::TrdJob kept("samples/speaker-a.wav"), stopped("samples/speaker-a.wav");
    kept.add(DAS_TRD_JOB_FIELD_TAG, "cpp-kept");
    stopped.add(DAS_TRD_JOB_FIELD_TAG, "cpp-stopped");
    CHECK(thrown_by([&] { client.transcribe(kept, 1); }) == DAS_RESULT_TIMEOUT);
    CHECK(thrown_by([&] { client.transcribe(stopped, 1, true); }) == DAS_RESULT_TIMEOUT);
    // The emulator ends a stopped job FAILED; the other one still runs or has completed.
    CHECK(client.list_jobs(0, 0, "cpp-stopped").find("\"status\":\"FAILED\"") != std::string::npos);
    CHECK(client.list_jobs(0, 0, "cpp-kept").find("\"status\":\"FAILED\"") == std::string::npos);
}

static void bad_input_throws_typed_errors(const Trd &trd) {
    das::TrdClient client = trd.client();
    CHECK(thrown_by([&] { client.create_job(das::TrdJob("samples/no-such-file.wav")); }) == DAS_RESULT_IO);
    CHECK(thrown_by([&] { client.transcribe(das::TrdJob("samples/generate.sh"), 20000); }) == DAS_RESULT_JOB_FAILED);
    das::TrdJob bad_hook("samples/speaker-a.wav");
    bad_hook.add(DAS_TRD_JOB_FIELD_CALLBACK_URL, "ftp://example.com");
    CHECK(thrown_by([&] { client.create_job(bad_hook); }) == DAS_RESULT_REJECTED);
    das::TrdJob bad_config("samples/speaker-a.wav");
    bad_config.add(DAS_TRD_JOB_FIELD_CONFIG, "not an item");
    CHECK(thrown_by([&] { client.create_job(bad_config); }) == DAS_RESULT_PARSE);
    CHECK(thrown_by([&] { client.call(DAS_TRD_JOB_CALL_STATUS, "../x"); }) == DAS_RESULT_PARSE);
    CHECK(thrown_by([&] { client.transcribe(bad_hook, 0); }) == DAS_RESULT_OUT_OF_RANGE);
}

int main() {
    try {
        EmulatorProcess emulator;
        Trd trd(emulator);
        free_calls(trd);
        clients_and_their_credentials(trd);
        jobs_by_polling(trd);
        jobs_through_a_shared_receiver(trd);
        a_timeout_stops_the_job_when_asked(trd);
        bad_input_throws_typed_errors(trd);
    } catch (const std::exception &error) {
        std::fprintf(stderr, "unexpected exception: %s\n", error.what());
        CHECK(false);
    }
    CHECK_DONE("cpp trd");
}
