// das.hpp: header-only C++17 RAII wrapper over das.h.
//
// Handles are owned by das::Handle (move-only, freed exactly once); every failing call throws
// das::Error carrying the das_result and the thread's detailed message; strings are
// std::string_view (any bytes, no NUL needed) and results come back as std::string.
#ifndef DAS_HPP
#define DAS_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
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

/// The library version, e.g. "0.1.0".
inline std::string_view version() noexcept { return das_version(); }

/// The ABI generation of the loaded library; compare it with DAS_ABI_VERSION at start-up.
inline std::uint32_t abi_version() noexcept { return das_abi_version(); }

/// The most verbose level delivered to the log callback (default DAS_LOG_LEVEL_WARN).
inline void set_log_level(das_log_level level) {
    check(das_set_log_level(static_cast<std::uint32_t>(level)));
}

/// Caller-driven mode: no libdas thread; sessions run while this program's thread is inside
/// libdas (run(), or a blocking call while it waits). Call it before the first session;
/// afterwards it throws das::Error (DAS_RESULT_ALREADY_STARTED).
inline void runtime_caller_driven() { check(das_runtime_caller_driven()); }

/// In caller-driven mode, runs every session for at most `timeout_ms`: true as soon as an event
/// was queued since the previous run() returned, false when the time ran out first.
inline bool run(std::uint32_t timeout_ms) {
    das_result code = das_run(timeout_ms);
    if (code == DAS_RESULT_TIMEOUT) {
        return false;
    }
    check(code);
    return true;
}

/// Receives libdas's log events while it lives (level, target such as "das::config", message;
/// secrets are never logged). The callback runs on any thread, one event at a time per thread:
/// it must be thread-safe, return quickly and make no blocking libdas call. An exception it
/// throws is dropped (it cannot cross libdas). One LogCallback at a time per process: the
/// destructor removes whatever callback is set, after which this one is not running.
class LogCallback {
public:
    using Function = std::function<void(das_log_level, std::string_view, std::string_view)>;

    explicit LogCallback(Function function) : function_(std::move(function)) {
        check(das_set_log_callback(&LogCallback::deliver, this));
    }
    ~LogCallback() { das_set_log_callback(nullptr, nullptr); }
    LogCallback(const LogCallback &) = delete;
    LogCallback &operator=(const LogCallback &) = delete;

private:
    static void deliver(void *userdata, das_log_level level, const char *target,
                        const char *message) noexcept {
        try {
            static_cast<LogCallback *>(userdata)->function_(level, target, message);
        } catch (...) {
        }
    }

    Function function_;
};

namespace detail {

/// A string_view as the (pointer, length) pair of the C API; never passes NULL.
inline const char *data_of(std::string_view text) noexcept {
    return text.data() != nullptr ? text.data() : "";
}

/// An optional C string input: NULL for an empty view ("not set").
inline const char *data_or_null(std::string_view text) noexcept {
    return text.empty() ? nullptr : text.data();
}

/// A webhook token for the C API: NULL only when absent. A present empty token stays empty,
/// so the C API refuses it (an unset variable read as "" must not turn the check off).
inline const char *token_data(const std::optional<std::string_view> &token) noexcept {
    return token ? data_of(*token) : nullptr;
}

inline std::size_t token_size(const std::optional<std::string_view> &token) noexcept {
    return token ? token->size() : 0;
}

/// Calls a C getter following the output-buffer convention and returns the string: one call
/// when it fits a first guess (the TRD getters are network requests), else again with the size
/// it asked for.
template <typename Getter>
std::string read_string(Getter getter) {
    std::string text(256, '\0');
    for (;;) {
        std::size_t written = 0;
        das_result code = getter(text.data(), text.size(), &written);
        if (code != DAS_RESULT_BUFFER_TOO_SMALL) {
            check(code);
            text.resize(written);
            return text;
        }
        text.resize(written);
    }
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
    /// The proxy of every connection (`http://[user:password@]host[:port]`, `https://…`, or
    /// SOCKS5 with `socks5h://` / `socks5://`), or "" to connect directly whatever the
    /// environment says; unset, the environment decides.
    Config &proxy(std::string_view url) {
        check(das_config_set_proxy(raw(), detail::data_of(url), url.size()));
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

/// Calls a C getter that lends bytes (pointer + length) and views them as chars;
/// DAS_RESULT_NOT_PRESENT gives std::nullopt.
template <typename Getter>
std::optional<std::string_view> bytes_if_present(Getter getter) {
    const std::uint8_t *data = nullptr;
    std::size_t len = 0;
    das_result code = getter(&data, &len);
    if (code == DAS_RESULT_NOT_PRESENT) {
        return std::nullopt;
    }
    check(code);
    return std::string_view(reinterpret_cast<const char *>(data), len);
}

}  // namespace detail

/// One session event. Views returned by the accessors live as long as the Event.
class Event {
public:
    explicit Event(das_event *raw) noexcept : handle_(raw) {}

    das_event_kind kind() const noexcept { return das_event_get_kind(raw()); }
    /// True when no result can follow (the result, an error, the end, an audio channel that
    /// failed before sending audio): stop the event loop and close the session.
    bool is_final() const noexcept { return das_event_is_final(raw()); }
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
        return detail::bytes_if_present([&](const std::uint8_t **d, std::size_t *n) {
            return das_event_collected_audio(raw(), d, n);
        });
    }
    /// How many Socket.IO arguments the server sent (0 for the local events).
    std::size_t argument_count() const {
        std::size_t count = 0;
        check(das_event_argument_count(raw(), &count));
        return count;
    }
    /// Argument `index` as compact JSON text, exactly as sent; std::nullopt for a binary one.
    /// Throws das::Error (DAS_RESULT_OUT_OF_RANGE) past the last argument.
    std::optional<std::string_view> argument_json(std::size_t index) const {
        return detail::lent_if_present([&](const char **t, std::size_t *n) {
            return das_event_argument_json(raw(), index, t, n);
        });
    }
    /// Argument `index` as bytes when it is binary; std::nullopt for a JSON one. Throws
    /// das::Error (DAS_RESULT_OUT_OF_RANGE) past the last argument.
    std::optional<std::string_view> argument_bytes(std::size_t index) const {
        return detail::bytes_if_present([&](const std::uint8_t **d, std::size_t *n) {
            return das_event_argument_bytes(raw(), index, d, n);
        });
    }
    /// Attachment `num`: the bytes each {"_placeholder":true,"num":num} nested in the payload or
    /// an argument's JSON stands for; std::nullopt when the event nests none or past the last.
    std::optional<std::string_view> attachment(std::size_t num) const {
        return detail::bytes_if_present([&](const std::uint8_t **d, std::size_t *n) {
            return das_event_attachment(raw(), num, d, n);
        });
    }
    std::optional<std::string_view> content() const { return text(das_event_content); }
    /// The voice credential of a registration result: a secret, never log it.
    std::optional<std::string_view> credential() const { return text(das_event_credential); }
    std::optional<std::string_view> reason() const { return text(das_event_reason); }
    std::optional<std::string_view> message() const { return text(das_event_message); }
    /// For a `disconnected` event, whether it came before any `result-*` (the session is lost);
    /// std::nullopt for other kinds.
    std::optional<bool> before_result() const {
        return detail::value_if_present<bool>(
            [&](bool *b) { return das_event_before_result(raw(), b); });
    }
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

/// A recognized segment's place: seconds from the start of the audio, and its channel.
struct Segment {
    double start = 0;
    double end = 0;
    std::uint32_t channel = 0;
};

/// An output channel of `job.media.output.channels`: its number and duration in seconds.
struct OutputChannel {
    std::uint32_t channel = 0;
    double seconds = 0;
};

/// A word's `start_time` and `end_time` as TRD sent them (relative to its segment's start in
/// every public sample).
struct WordTimes {
    double start = 0;
    double end = 0;
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
    Segment segment(std::size_t index) const {
        Segment out;
        check(das_webhook_segment(raw(), index, &out.start, &out.end, &out.channel));
        return out;
    }
    /// The segment's speaker label; std::nullopt without diarization.
    std::optional<std::string_view> segment_speaker(std::size_t segment) const {
        return detail::lent_if_present([&](const char **t, std::size_t *n) {
            return das_webhook_segment_speaker(raw(), segment, t, n);
        });
    }
    /// The segment's recognition status as received ("RECOGNIZED", "NO_MATCH", ...).
    std::optional<std::string_view> segment_status(std::size_t segment) const {
        return detail::lent_if_present([&](const char **t, std::size_t *n) {
            return das_webhook_segment_status(raw(), segment, t, n);
        });
    }
    /// The segment's hypotheses, best first (0 when nothing was recognized).
    std::size_t alternative_count(std::size_t segment) const {
        std::size_t count = 0;
        check(das_webhook_alternative_count(raw(), segment, &count));
        return count;
    }
    std::string_view alternative_text(std::size_t segment, std::size_t alternative) const {
        return detail::lent([&](const char **t, std::size_t *n) {
            return das_webhook_alternative_text(raw(), segment, alternative, t, n);
        });
    }
    std::optional<double> alternative_score(std::size_t segment, std::size_t alternative) const {
        return detail::value_if_present<double>([&](double *score) {
            return das_webhook_alternative_score(raw(), segment, alternative, score);
        });
    }
    /// The words of a hypothesis (0 without word details).
    std::size_t word_count(std::size_t segment, std::size_t alternative) const {
        std::size_t count = 0;
        check(das_webhook_word_count(raw(), segment, alternative, &count));
        return count;
    }
    std::string_view word_text(std::size_t segment, std::size_t alternative,
                               std::size_t word) const {
        return detail::lent([&](const char **t, std::size_t *n) {
            return das_webhook_word_text(raw(), segment, alternative, word, t, n);
        });
    }
    WordTimes word_times(std::size_t segment, std::size_t alternative, std::size_t word) const {
        WordTimes out;
        check(das_webhook_word_times(raw(), segment, alternative, word, &out.start, &out.end));
        return out;
    }
    /// How many output channels `job.media.output.channels` describes (0 when absent).
    std::size_t channel_count() const {
        std::size_t count = 0;
        check(das_webhook_channel_count(raw(), &count));
        return count;
    }
    /// Output channel `index`; std::nullopt when it has no duration.
    std::optional<OutputChannel> channel(std::size_t index) const {
        OutputChannel out;
        das_result code = das_webhook_channel(raw(), index, &out.channel, &out.seconds);
        if (code == DAS_RESULT_NOT_PRESENT) {
            return std::nullopt;
        }
        check(code);
        return out;
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
    /// The callback name of `POST /{name}/{job_id}`; std::nullopt for `POST /{job_id}`.
    std::optional<std::string_view> name() const {
        return detail::lent_if_present(
            [&](const char **t, std::size_t *n) { return das_delivery_name(raw(), t, n); });
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

/// Settings of a WebhookReceiver; empty views mean "not set", except the token.
struct ReceiverOptions {
    std::string_view host;       ///< IP to bind; empty: 127.0.0.1
    std::uint16_t port = 0;      ///< 0: a free port
    /// The top-level token every delivery must carry; std::nullopt: none. An empty token is
    /// refused (DAS_RESULT_INVALID_TOKEN), as an unset setting read as "" would accept any body.
    std::optional<std::string_view> token;
    das_tls_mode tls = DAS_TLS_MODE_SELF_SIGNED;
    std::string_view cert_pem;   ///< with DAS_TLS_MODE_PEM
    std::string_view key_pem;    ///< with DAS_TLS_MODE_PEM
    std::string_view spool_dir;  ///< empty: in memory only
};

/// The TRD webhook receiver (an HTTP(S) server in this process).
class WebhookReceiver {
public:
    explicit WebhookReceiver(const ReceiverOptions &options) {
        auto opt = detail::data_or_null;
        das_webhook_receiver *raw = nullptr;
        check(das_webhook_receiver_start(opt(options.host), options.host.size(), options.port,
                                         detail::token_data(options.token),
                                         detail::token_size(options.token),
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

/// `GET {base_url}/webhook/whoami`: this machine's address as TRD sees it. `bearer` is the
/// token without "Bearer " (empty: no Authorization header).
inline std::string trd_whoami(std::string_view base_url, std::string_view bearer,
                              std::uint32_t timeout_ms) {
    return detail::read_string([&](char *buf, std::size_t len, std::size_t *written) {
        return das_trd_whoami(detail::data_of(base_url), base_url.size(),
                              detail::data_or_null(bearer), bearer.size(), timeout_ms, buf, len,
                              written);
    });
}

/// A bearer token from the CPqD license server (`POST {token_url}`, HTTP Basic). A secret:
/// never log it.
inline std::string trd_license_token(std::string_view token_url, std::string_view username,
                                     std::string_view password, std::uint32_t timeout_ms) {
    return detail::read_string([&](char *buf, std::size_t len, std::size_t *written) {
        return das_trd_license_token(detail::data_of(token_url), token_url.size(),
                                     detail::data_of(username), username.size(),
                                     detail::data_of(password), password.size(), timeout_ms, buf,
                                     len, written);
    });
}

/// `webhook/validate`: whether TRD can reach `webhook_url`. With a token or the receiver's
/// certificate (std::nullopt, an empty view: not sent) it registers them with TRD (a POST,
/// else a GET); an empty token is refused (DAS_RESULT_INVALID_TOKEN), nothing is sent.
inline bool trd_validate(std::string_view base_url, std::string_view bearer,
                         std::string_view webhook_url, std::optional<std::string_view> token,
                         std::string_view crt_pem, std::uint32_t timeout_ms) {
    bool reachable = false;
    check(das_trd_validate(detail::data_of(base_url), base_url.size(),
                           detail::data_or_null(bearer), bearer.size(),
                           detail::data_of(webhook_url), webhook_url.size(),
                           detail::token_data(token), detail::token_size(token),
                           detail::data_or_null(crt_pem), crt_pem.size(), timeout_ms, &reachable));
    return reachable;
}

/// A TRD job request: the recording's path (opened when submitted) plus config items,
/// callback URLs and a tag.
class TrdJob {
public:
    explicit TrdJob(std::string_view path) {
        das_trd_job *raw = nullptr;
        check(das_trd_job_new(detail::data_of(path), path.size(), &raw));
        handle_.reset(raw);
    }
    /// Appends to a list (a config item `key=value` or a JSON object, a callback URL) or sets
    /// the tag; config items are checked on submission (DAS_RESULT_PARSE).
    TrdJob &add(das_trd_job_field field, std::string_view value) {
        check(das_trd_job_add(raw(), static_cast<std::uint32_t>(field), detail::data_of(value),
                              value.size()));
        return *this;
    }

    das_trd_job *raw() const noexcept { return handle_.get(); }

private:
    Handle<das_trd_job, das_trd_job_free> handle_;
};

/// A running `GET /query/job`: its records one by one.
class TrdQuery {
public:
    explicit TrdQuery(das_trd_query *raw) noexcept : handle_(raw) {}
    /// The next record (`job`, and `segments` when the filter asked for results); std::nullopt
    /// after the last one. A malformed record throws das::Error (DAS_RESULT_PROTOCOL) and the
    /// following ones can still be read.
    std::optional<Webhook> next() {
        das_webhook *out = nullptr;
        das_result code = das_trd_query_next(raw(), &out);
        if (code == DAS_RESULT_CLOSED) {
            return std::nullopt;
        }
        check(code);
        return Webhook(out);
    }

    das_trd_query *raw() const noexcept { return handle_.get(); }

private:
    Handle<das_trd_query, das_trd_query_free> handle_;
};

/// Settings of TrdClient::start_webhooks; empty views mean "not set".
struct TrdWebhooksOptions {
    std::string_view host;         ///< IP to bind; empty: 127.0.0.1 (0.0.0.0 for a remote TRD)
    std::uint16_t port = 0;        ///< 0: a free port
    std::string_view public_host;  ///< the host TRD reaches; empty: the bound address
    bool plain_http = false;       ///< false: HTTPS with a self-signed certificate
    bool validate = false;         ///< register URL, token and certificate with TRD first
};

/// A webhook receiver shared by TrdClient::transcribe calls (stopped by the destructor).
class TrdWebhooks {
public:
    explicit TrdWebhooks(das_trd_webhooks *raw) noexcept : handle_(raw) {}
    /// The receiver's URL, the callback URL jobs are given.
    std::string_view url() const {
        return detail::lent(
            [&](const char **t, std::size_t *n) { return das_trd_webhooks_url(raw(), t, n); });
    }

    das_trd_webhooks *raw() const noexcept { return handle_.get(); }

private:
    Handle<das_trd_webhooks, das_trd_webhooks_free> handle_;
};

/// How a TrdClient authenticates (at most one kind) and waits; empty views mean "not set".
struct TrdClientOptions {
    std::string_view base_url;     ///< e.g. https://speech.cpqd.com.br/trd/v3
    std::string_view bearer;       ///< a ready-made token
    std::string_view license_url;  ///< with username + password: tokens from the license server
    std::string_view username;     ///< with password alone: HTTP Basic on every request
    std::string_view password;
    std::uint32_t timeout_ms = 10000;  ///< each request (an upload also gets 256 KiB/s)
    const Config *tls = nullptr;   ///< trusted roots and proxy from this Config; null: defaults
};

/// A TRD API client (thread-safe). Jobs and results come back as das::Webhook.
class TrdClient {
public:
    explicit TrdClient(const TrdClientOptions &options) {
        auto opt = detail::data_or_null;
        das_trd_client *raw = nullptr;
        check(das_trd_client_new(detail::data_of(options.base_url), options.base_url.size(),
                                 opt(options.bearer), options.bearer.size(),
                                 opt(options.license_url), options.license_url.size(),
                                 opt(options.username), options.username.size(),
                                 opt(options.password), options.password.size(),
                                 options.timeout_ms,
                                 options.tls != nullptr ? options.tls->raw() : nullptr, &raw));
        handle_.reset(raw);
    }

    /// `GET webhook/whoami`: this machine's address as TRD sees it.
    std::string whoami() const {
        return detail::read_string([&](char *buf, std::size_t len, std::size_t *written) {
            return das_trd_client_whoami(raw(), buf, len, written);
        });
    }
    /// `webhook/validate` as das::trd_validate, with this client's credentials.
    bool validate(std::string_view webhook_url,
                  std::optional<std::string_view> token = std::nullopt,
                  std::string_view crt_pem = {}) const {
        bool reachable = false;
        check(das_trd_client_validate(raw(), detail::data_of(webhook_url), webhook_url.size(),
                                      detail::token_data(token), detail::token_size(token),
                                      detail::data_or_null(crt_pem), crt_pem.size(),
                                      &reachable));
        return reachable;
    }
    /// `POST /job/create`: the created job (normally QUEUED; Webhook::job_id()).
    Webhook create_job(const TrdJob &job) const {
        das_webhook *out = nullptr;
        check(das_trd_create_job(raw(), job.raw(), &out));
        return Webhook(out);
    }
    /// Status, result, stop or retry of job `job_id`: the answer.
    Webhook call(das_trd_job_call call, std::string_view job_id) const {
        das_webhook *out = nullptr;
        check(das_trd_call(raw(), static_cast<std::uint32_t>(call), detail::data_of(job_id),
                           job_id.size(), &out));
        return Webhook(out);
    }
    /// `DELETE /job/{id}`.
    void delete_job(std::string_view job_id) const {
        check(das_trd_delete_job(raw(), detail::data_of(job_id), job_id.size()));
    }
    /// `GET /job`: `{"jobs": [...], "total": N|null}`. 0 leaves page/limit to TRD; an empty
    /// tag lists every job.
    std::string list_jobs(std::uint32_t page = 0, std::uint32_t limit = 0,
                          std::string_view tag = {}) const {
        return detail::read_string([&](char *buf, std::size_t len, std::size_t *written) {
            return das_trd_list_jobs(raw(), page, limit, detail::data_or_null(tag), tag.size(),
                                     buf, len, written);
        });
    }
    /// Starts `GET /query/job`; `filter_json` (empty: none) names any of `tags`, `filenames`,
    /// `statuses`, `projection`, `with_result`, `page`, `limit`, `start_date`, `end_date`.
    TrdQuery query(std::string_view filter_json = {}) const {
        das_trd_query *out = nullptr;
        check(das_trd_query_start(raw(), detail::data_or_null(filter_json), filter_json.size(),
                                  &out));
        return TrdQuery(out);
    }
    /// Starts a receiver the transcribe calls share.
    TrdWebhooks start_webhooks(const TrdWebhooksOptions &options = {}) const {
        das_trd_webhooks *out = nullptr;
        check(das_trd_webhooks_start(raw(), detail::data_or_null(options.host),
                                     options.host.size(), options.port,
                                     detail::data_or_null(options.public_host),
                                     options.public_host.size(), options.plain_http,
                                     options.validate, &out));
        return TrdWebhooks(out);
    }
    /// Creates the job and polls its status until it ends (`timeout_ms` after the upload):
    /// the COMPLETED result; a FAILED job throws DAS_RESULT_JOB_FAILED.
    Webhook transcribe(const TrdJob &job, std::uint32_t timeout_ms,
                       bool stop_on_timeout = false) const {
        return transcribe_through(job, nullptr, timeout_ms, stop_on_timeout);
    }
    /// As transcribe(job, ...), the result delivered to `webhooks`.
    Webhook transcribe(const TrdJob &job, const TrdWebhooks &webhooks, std::uint32_t timeout_ms,
                       bool stop_on_timeout = false) const {
        return transcribe_through(job, webhooks.raw(), timeout_ms, stop_on_timeout);
    }

    das_trd_client *raw() const noexcept { return handle_.get(); }

private:
    Webhook transcribe_through(const TrdJob &job, const das_trd_webhooks *webhooks,
                               std::uint32_t timeout_ms, bool stop_on_timeout) const {
        das_webhook *out = nullptr;
        check(das_trd_transcribe(raw(), job.raw(), webhooks, timeout_ms, stop_on_timeout, &out));
        return Webhook(out);
    }

    Handle<das_trd_client, das_trd_client_free> handle_;
};

}  // namespace das

#endif  // DAS_HPP
