// das.hpp: header-only C++17 RAII wrapper over das.h.
//
// Handles are owned by das::Handle (move-only, freed exactly once); every failing call throws
// das::Error carrying the das_result and the thread's detailed message; strings are
// std::string_view (any bytes, no NUL needed) and results come back as std::string.
#ifndef DAS_HPP
#define DAS_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "das.h"

namespace das {

/// A failed libdas call: the result code plus the detailed message.
class Error : public std::runtime_error {
public:
    Error(das_result code, const std::string &message)
        : std::runtime_error(std::string(das_result_name(code)) + ": " + message), code_(code) {}

    /// The das_result returned by the failing call.
    das_result code() const noexcept { return code_; }

private:
    das_result code_;
};

/// The detailed message of the most recent libdas call on this thread.
inline std::string last_error_message() {
    std::size_t needed = 0;
    if (das_last_error_message(nullptr, 0, &needed) != DAS_RESULT_BUFFER_TOO_SMALL) {
        return std::string();
    }
    std::string message(needed, '\0');
    std::size_t written = 0;
    if (das_last_error_message(message.data(), message.size(), &written) != DAS_RESULT_OK) {
        return std::string();
    }
    message.resize(written);
    return message;
}

/// Throws das::Error unless `code` is DAS_RESULT_OK.
inline void check(das_result code) {
    if (code != DAS_RESULT_OK) {
        throw Error(code, last_error_message());
    }
}

namespace detail {

/// A string_view as the (pointer, length) pair of the C API; never passes NULL.
inline const char *data_of(std::string_view text) noexcept {
    return text.data() != nullptr ? text.data() : "";
}

/// Calls a C getter following the output-buffer convention and returns the string.
template <typename Getter>
std::string read_string(Getter getter) {
    std::size_t needed = 0;
    das_result code = getter(nullptr, 0, &needed);
    if (code == DAS_RESULT_OK) {
        return std::string();
    }
    if (code != DAS_RESULT_BUFFER_TOO_SMALL) {
        check(code);
    }
    std::string text(needed, '\0');
    std::size_t written = 0;
    check(getter(text.data(), text.size(), &written));
    text.resize(written);
    return text;
}

}  // namespace detail

/// Owns one libdas handle of type T, freed with Free exactly once.
template <typename T, void (*Free)(T *)>
class Handle {
public:
    Handle() noexcept = default;
    explicit Handle(T *raw) noexcept : raw_(raw) {}
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    Handle(Handle &&other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
    Handle &operator=(Handle &&other) noexcept {
        if (this != &other) {
            reset(std::exchange(other.raw_, nullptr));
        }
        return *this;
    }
    ~Handle() { reset(); }

    /// The raw handle, still owned by this object.
    T *get() const noexcept { return raw_; }
    /// Gives up ownership; the caller must free the handle.
    T *release() noexcept { return std::exchange(raw_, nullptr); }
    /// Frees the current handle (if any) and takes `raw`.
    void reset(T *raw = nullptr) noexcept {
        T *old = std::exchange(raw_, raw);
        if (old != nullptr) {
            Free(old);
        }
    }
    explicit operator bool() const noexcept { return raw_ != nullptr; }

private:
    T *raw_ = nullptr;
};

/// Session configuration builder; setters validate immediately and throw das::Error.
class Config {
public:
    Config() {
        das_config *raw = nullptr;
        check(das_config_new(&raw));
        handle_.reset(raw);
    }

    Config &endpoint_url(std::string_view url) {
        check(das_config_set_endpoint_url(raw(), detail::data_of(url), url.size()));
        return *this;
    }
    Config &token_url(std::string_view url) {
        check(das_config_set_token_url(raw(), detail::data_of(url), url.size()));
        return *this;
    }
    Config &client_credentials(std::string_view id, std::string_view secret) {
        check(das_config_set_client_credentials(raw(), detail::data_of(id), id.size(),
                                                detail::data_of(secret), secret.size()));
        return *this;
    }
    Config &authorization(std::string_view header_value) {
        check(das_config_set_authorization(raw(), detail::data_of(header_value),
                                           header_value.size()));
        return *this;
    }
    Config &ns(std::string_view name) {
        check(das_config_set_namespace(raw(), detail::data_of(name), name.size()));
        return *this;
    }
    Config &session_kind(das_session_kind kind) {
        check(das_config_set_session_kind(raw(), static_cast<std::uint32_t>(kind)));
        return *this;
    }
    Config &metadata(das_metadata_field field, std::string_view value) {
        check(das_config_set_metadata(raw(), static_cast<std::uint32_t>(field),
                                      detail::data_of(value), value.size()));
        return *this;
    }
    Config &authenticity_threshold(double threshold) {
        check(das_config_set_authenticity_threshold(raw(), threshold));
        return *this;
    }
    /// A verification's similarity threshold, in [0, 1].
    Config &score_threshold(double threshold) {
        check(das_config_set_score_threshold(raw(), threshold));
        return *this;
    }
    Config &audio_total_duration(double seconds) {
        check(das_config_set_audio_total_duration(raw(), seconds));
        return *this;
    }
    Config &model_hash(std::string_view hash) {
        check(das_config_set_model_hash(raw(), detail::data_of(hash), hash.size()));
        return *this;
    }
    Config &credential(std::string_view credential) {
        check(das_config_set_credential(raw(), detail::data_of(credential), credential.size()));
        return *this;
    }
    Config &extra_json(std::string_view json) {
        check(das_config_set_extra_json(raw(), detail::data_of(json), json.size()));
        return *this;
    }
    Config &audio_protocol(das_audio_protocol protocol) {
        check(das_config_set_audio_protocol(raw(), static_cast<std::uint32_t>(protocol)));
        return *this;
    }
    // No audio channel: someone else streams the call with the session's call_id.
    Config &signalling_only(bool on = true) {
        check(das_config_set_signalling_only(raw(), on));
        return *this;
    }
    Config &audio_url(std::string_view url) {
        check(das_config_set_audio_url(raw(), detail::data_of(url), url.size()));
        return *this;
    }
    Config &audio_codec(das_audio_codec codec) {
        check(das_config_set_audio_codec(raw(), static_cast<std::uint32_t>(codec)));
        return *this;
    }
    Config &audio_sample_rate(std::uint32_t hz) {
        check(das_config_set_audio_sample_rate(raw(), hz));
        return *this;
    }
    Config &audio_channels(std::uint32_t channels) {
        check(das_config_set_audio_channels(raw(), channels));
        return *this;
    }
    Config &audiohook_credentials(std::string_view api_key, std::string_view client_secret) {
        check(das_config_set_audiohook_credentials(raw(), detail::data_of(api_key), api_key.size(),
                                                   detail::data_of(client_secret),
                                                   client_secret.size()));
        return *this;
    }
    Config &audiohook_organization_id(std::string_view id) {
        check(das_config_set_audiohook_organization_id(raw(), detail::data_of(id), id.size()));
        return *this;
    }
    Config &audio_pacing(das_audio_pacing pacing) {
        check(das_config_set_audio_pacing(raw(), static_cast<std::uint32_t>(pacing)));
        return *this;
    }
    Config &timeout_ms(das_timeout which, std::uint32_t ms) {
        check(das_config_set_timeout_ms(raw(), static_cast<std::uint32_t>(which), ms));
        return *this;
    }
    Config &audio_buffer_bytes(std::size_t bytes) {
        check(das_config_set_audio_buffer_bytes(raw(), bytes));
        return *this;
    }
    Config &add_trusted_root_pem(std::string_view pem) {
        check(das_config_add_trusted_root_pem(raw(), pem.data(), pem.size()));
        return *this;
    }
    Config &trusted_roots(das_trusted_roots roots) {
        check(das_config_set_trusted_roots(raw(), static_cast<std::uint32_t>(roots)));
        return *this;
    }
    Config &event_queue_capacity(std::size_t events) {
        check(das_config_set_event_queue_capacity(raw(), events));
        return *this;
    }
    Config &event_queue_bytes(std::size_t bytes) {
        check(das_config_set_event_queue_bytes(raw(), bytes));
        return *this;
    }
    Config &log_level(das_log_level level) {
        check(das_config_set_log_level(raw(), static_cast<std::uint32_t>(level)));
        return *this;
    }

    std::uint32_t timeout_ms(das_timeout which) const {
        std::uint32_t ms = 0;
        check(das_config_get_timeout_ms(raw(), static_cast<std::uint32_t>(which), &ms));
        return ms;
    }
    std::string metadata(das_metadata_field field) const {
        return detail::read_string([&](char *buf, std::size_t len, std::size_t *written) {
            return das_config_get_metadata(raw(), static_cast<std::uint32_t>(field), buf, len,
                                           written);
        });
    }
    /// Throws das::Error (DAS_RESULT_NOT_READY) naming every missing setting.
    void validate() const { check(das_config_validate(raw())); }
    /// The `initialize` payload the session will emit (contains the credential, if set).
    std::string initialize_json() const {
        return detail::read_string([&](char *buf, std::size_t len, std::size_t *written) {
            return das_config_initialize_json(raw(), buf, len, written);
        });
    }
    /// Every setting as JSON, secrets redacted.
    std::string to_json() const {
        return detail::read_string([&](char *buf, std::size_t len, std::size_t *written) {
            return das_config_to_json(raw(), buf, len, written);
        });
    }

    /// The C handle, still owned by this object.
    das_config *raw() const noexcept { return handle_.get(); }

private:
    Handle<das_config, das_config_free> handle_;
};

namespace detail {

/// Calls a C getter that lends a string (pointer + length) and views it.
template <typename Getter>
std::string_view lent(Getter getter) {
    const char *text = nullptr;
    std::size_t len = 0;
    check(getter(&text, &len));
    return std::string_view(text, len);
}

/// Like lent(), but DAS_RESULT_NOT_PRESENT gives std::nullopt.
template <typename Getter>
std::optional<std::string_view> lent_if_present(Getter getter) {
    const char *text = nullptr;
    std::size_t len = 0;
    das_result code = getter(&text, &len);
    if (code == DAS_RESULT_NOT_PRESENT) {
        return std::nullopt;
    }
    check(code);
    return std::string_view(text, len);
}

/// Calls a C getter writing one value; DAS_RESULT_NOT_PRESENT gives std::nullopt.
template <typename T, typename Getter>
std::optional<T> value_if_present(Getter getter) {
    T value{};
    das_result code = getter(&value);
    if (code == DAS_RESULT_NOT_PRESENT) {
        return std::nullopt;
    }
    check(code);
    return value;
}

}  // namespace detail

/// One session event. Views returned by the accessors live as long as the Event.
class Event {
public:
    explicit Event(das_event *raw) noexcept : handle_(raw) {}

    das_event_kind kind() const noexcept { return das_event_get_kind(raw()); }
    std::string_view name() const {
        return detail::lent([&](const char **t, std::size_t *n) { return das_event_name(raw(), t, n); });
    }
    std::string_view json() const {
        return detail::lent([&](const char **t, std::size_t *n) { return das_event_json(raw(), t, n); });
    }
    std::optional<double> audio_seconds() const { return number(das_event_audio_seconds); }
    std::optional<double> vad_percentage() const { return number(das_event_vad_percentage); }
    std::optional<double> authenticity() const { return number(das_event_authenticity); }
    std::optional<double> voice_audio_collected() const {
        return number(das_event_voice_audio_collected);
    }
    std::optional<double> score() const { return number(das_event_score); }
    std::optional<double> threshold() const { return number(das_event_threshold); }
    /// The verdict of a `result-success` (rule in docs/das-peak.md).
    std::optional<das_verdict> verdict() const {
        return detail::value_if_present<das_verdict>(
            [&](das_verdict *v) { return das_event_verdict(raw(), v); });
    }
    /// The audio a `result-success` carries, as bytes in a string_view.
    std::optional<std::string_view> collected_audio() const {
        const std::uint8_t *data = nullptr;
        std::size_t len = 0;
        das_result code = das_event_collected_audio(raw(), &data, &len);
        if (code == DAS_RESULT_NOT_PRESENT) {
            return std::nullopt;
        }
        check(code);
        return std::string_view(reinterpret_cast<const char *>(data), len);
    }
    std::optional<std::string_view> content() const { return text(das_event_content); }
    /// The voice credential of a registration result: a secret, never log it.
    std::optional<std::string_view> credential() const { return text(das_event_credential); }
    std::optional<std::string_view> reason() const { return text(das_event_reason); }
    std::optional<std::string_view> message() const { return text(das_event_message); }
    /// What the blocking start() would have thrown, for a DAS_EVENT_KIND_START_FAILED event
    /// (message() says why); std::nullopt for other kinds.
    std::optional<das_result> start_result() const {
        return detail::value_if_present<das_result>(
            [&](das_result *r) { return das_event_start_result(raw(), r); });
    }

    das_event *raw() const noexcept { return handle_.get(); }

private:
    using NumberGetter = das_result (*)(const das_event *, double *);
    using TextGetter = das_result (*)(const das_event *, const char **, std::size_t *);
    std::optional<double> number(NumberGetter getter) const {
        return detail::value_if_present<double>([&](double *v) { return getter(raw(), v); });
    }
    std::optional<std::string_view> text(TextGetter getter) const {
        return detail::lent_if_present(
            [&](const char **t, std::size_t *n) { return getter(raw(), t, n); });
    }

    Handle<das_event, das_event_free> handle_;
};

/// A das-Peak Streaming session. One thread may push while another polls; close() may be
/// called from any thread and wakes a blocked poll_event().
class Session {
public:
    explicit Session(const Config &config) {
        das_session *raw = nullptr;
        check(das_session_new(config.raw(), &raw));
        handle_.reset(raw);
    }

    /// Connects and sends `initialize` (blocking).
    void start() { check(das_session_start(raw())); }
    /// Starts on libdas's thread and returns at once, for event loops: the outcome is the first
    /// event, DAS_EVENT_KIND_STARTED (pushes are taken from then on) or
    /// DAS_EVENT_KIND_START_FAILED (Event::start_result(), Event::message()) then the end.
    /// Throws das::Error (DAS_RESULT_ALREADY_STARTED, DAS_RESULT_CLOSED) like start().
    void start_nonblocking() { check(das_session_start_nonblocking(raw())); }
    /// Queues a copy of the bytes; false when the buffer is full (retry later).
    bool push_audio(const void *data, std::size_t len) {
        das_result code = das_session_push_audio(raw(), static_cast<const std::uint8_t *>(data), len);
        if (code == DAS_RESULT_WOULD_BLOCK) {
            return false;
        }
        check(code);
        return true;
    }
    /// Queues a whole WAV file, converted to the session's format (blocking while full).
    void push_wav(std::string_view path) {
        check(das_session_push_wav(raw(), detail::data_of(path), path.size()));
    }
    void end_audio() { check(das_session_end_audio(raw())); }
    /// The next event within `timeout_ms`; std::nullopt on timeout or once the session ended
    /// (then ended() is true).
    std::optional<Event> poll_event(std::uint32_t timeout_ms) {
        das_event *event = nullptr;
        das_result code = das_session_poll_event(raw(), timeout_ms, &event);
        if (code == DAS_RESULT_TIMEOUT) {
            return std::nullopt;
        }
        if (code == DAS_RESULT_CLOSED) {
            ended_ = true;
            return std::nullopt;
        }
        check(code);
        return Event(event);
    }
    /// True once poll_event() reported the end of the session.
    bool ended() const noexcept { return ended_; }
    /// A descriptor readable while an event is pending or the session ended, for
    /// select/poll/epoll loops (then poll_event(0) until std::nullopt). Owned by the session:
    /// never read or close it, and remove it from an epoll set before the Session is destroyed.
    int event_fd() const {
        int fd = -1;
        check(das_session_event_fd(raw(), &fd));
        return fd;
    }
    std::string_view call_id() const {
        return detail::lent([&](const char **t, std::size_t *n) { return das_session_call_id(raw(), t, n); });
    }
    /// Closes, waiting for the disconnect (bounded by the close timeout).
    void close() { check(das_session_close(raw())); }
    /// Closes without waiting: the session ends for the caller at once (queued events are still
    /// delivered, event_fd() turns readable) while libdas disconnects on its own thread; the
    /// destructor then does not wait either.
    void close_nonblocking() { check(das_session_close_nonblocking(raw())); }

    das_session *raw() const noexcept { return handle_.get(); }

private:
    Handle<das_session, das_session_free> handle_;
    bool ended_ = false;
};

/// A parsed TRD job result. Views live as long as the Webhook.
class Webhook {
public:
    explicit Webhook(das_webhook *raw) noexcept : handle_(raw) {}
    /// Parses a webhook body; throws das::Error (DAS_RESULT_PARSE naming path/line/column).
    static Webhook parse(std::string_view body) {
        das_webhook *raw = nullptr;
        check(das_webhook_parse(reinterpret_cast<const std::uint8_t *>(detail::data_of(body)),
                                body.size(), &raw));
        return Webhook(raw);
    }

    std::string_view job_id() const {
        return detail::lent([&](const char **t, std::size_t *n) { return das_webhook_job_id(raw(), t, n); });
    }
    std::string_view status() const {
        return detail::lent([&](const char **t, std::size_t *n) { return das_webhook_status(raw(), t, n); });
    }
    das_job_status job_status() const {
        das_job_status status = DAS_JOB_STATUS_OTHER;
        check(das_webhook_job_status(raw(), &status));
        return status;
    }
    std::optional<std::string_view> failure_reason() const {
        return detail::lent_if_present(
            [&](const char **t, std::size_t *n) { return das_webhook_failure_reason(raw(), t, n); });
    }
    std::size_t segment_count() const {
        std::size_t count = 0;
        check(das_webhook_segment_count(raw(), &count));
        return count;
    }
    std::string_view alternative_text(std::size_t segment, std::size_t alternative) const {
        return detail::lent([&](const char **t, std::size_t *n) {
            return das_webhook_alternative_text(raw(), segment, alternative, t, n);
        });
    }
    std::string_view transcript() const {
        return detail::lent([&](const char **t, std::size_t *n) { return das_webhook_transcript(raw(), t, n); });
    }
    std::string_view transcript_of_channel(std::uint32_t channel) const {
        return detail::lent([&](const char **t, std::size_t *n) {
            return das_webhook_transcript_of_channel(raw(), channel, t, n);
        });
    }
    std::string_view to_json() const {
        return detail::lent([&](const char **t, std::size_t *n) { return das_webhook_to_json(raw(), t, n); });
    }
    /// True when the body carries exactly this token (constant-time comparison).
    bool token_matches(std::string_view token) const {
        das_result code = das_webhook_verify_token(raw(), detail::data_of(token), token.size());
        if (code == DAS_RESULT_INVALID_TOKEN) {
            return false;
        }
        check(code);
        return true;
    }

    das_webhook *raw() const noexcept { return handle_.get(); }

private:
    Handle<das_webhook, das_webhook_free> handle_;
};

/// One accepted webhook delivery; acknowledge it once the result is stored.
class Delivery {
public:
    explicit Delivery(das_delivery *raw) noexcept : handle_(raw) {}

    std::string_view job_id() const {
        return detail::lent([&](const char **t, std::size_t *n) { return das_delivery_job_id(raw(), t, n); });
    }
    /// The body as received (it carries the shared token: do not log it).
    std::string_view body() const {
        const std::uint8_t *data = nullptr;
        std::size_t len = 0;
        check(das_delivery_body(raw(), &data, &len));
        return std::string_view(reinterpret_cast<const char *>(data), len);
    }
    bool duplicate() const {
        bool flag = false;
        check(das_delivery_is_duplicate(raw(), &flag));
        return flag;
    }
    bool recovered() const {
        bool flag = false;
        check(das_delivery_is_recovered(raw(), &flag));
        return flag;
    }
    /// The parsed result (an independent copy).
    Webhook webhook() const {
        das_webhook *out = nullptr;
        check(das_delivery_webhook(raw(), &out));
        return Webhook(out);
    }
    void ack() { check(das_delivery_ack(raw())); }

    das_delivery *raw() const noexcept { return handle_.get(); }

private:
    Handle<das_delivery, das_delivery_free> handle_;
};

/// Settings of a WebhookReceiver; empty views mean "not set".
struct ReceiverOptions {
    std::string_view host;       ///< IP to bind; empty: 127.0.0.1
    std::uint16_t port = 0;      ///< 0: a free port
    std::string_view token;      ///< required top-level token; empty: none
    das_tls_mode tls = DAS_TLS_MODE_SELF_SIGNED;
    std::string_view cert_pem;   ///< with DAS_TLS_MODE_PEM
    std::string_view key_pem;    ///< with DAS_TLS_MODE_PEM
    std::string_view spool_dir;  ///< empty: in memory only
};

/// The TRD webhook receiver (an HTTP(S) server in this process).
class WebhookReceiver {
public:
    explicit WebhookReceiver(const ReceiverOptions &options) {
        auto opt = [](std::string_view text) { return text.empty() ? nullptr : text.data(); };
        das_webhook_receiver *raw = nullptr;
        check(das_webhook_receiver_start(opt(options.host), options.host.size(), options.port,
                                         opt(options.token), options.token.size(),
                                         static_cast<std::uint32_t>(options.tls),
                                         opt(options.cert_pem), options.cert_pem.size(),
                                         opt(options.key_pem), options.key_pem.size(),
                                         opt(options.spool_dir), options.spool_dir.size(), &raw));
        handle_.reset(raw);
    }
    std::string_view url() const {
        return detail::lent(
            [&](const char **t, std::size_t *n) { return das_webhook_receiver_url(raw(), t, n); });
    }
    std::optional<std::string_view> certificate_pem() const {
        return detail::lent_if_present([&](const char **t, std::size_t *n) {
            return das_webhook_receiver_certificate_pem(raw(), t, n);
        });
    }
    /// The next delivery within `timeout_ms`; std::nullopt on timeout or once stopped and empty.
    std::optional<Delivery> next_delivery(std::uint32_t timeout_ms) {
        das_delivery *out = nullptr;
        das_result code = das_webhook_receiver_next_delivery(raw(), timeout_ms, &out);
        if (code == DAS_RESULT_TIMEOUT || code == DAS_RESULT_CLOSED) {
            return std::nullopt;
        }
        check(code);
        return Delivery(out);
    }
    void stop() { check(das_webhook_receiver_stop(raw())); }

    das_webhook_receiver *raw() const noexcept { return handle_.get(); }

private:
    Handle<das_webhook_receiver, das_webhook_receiver_free> handle_;
};

}  // namespace das

#endif  // DAS_HPP
