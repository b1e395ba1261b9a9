/*
 * das.h: the libdas C API (Veridas das-Peak Streaming sessions and CPqD TRD webhooks).
 *
 * Link: cc app.c $(pkg-config --cflags --libs das), and when libdas is not in the loader's
 * directories, -Wl,-rpath,PREFIX/lib or `ldconfig` so that libdas.so.0 is found at run time.
 * CMake: find_package(das CONFIG REQUIRED), then das::das or das::das_static.
 * Check at start-up: das_abi_version() == DAS_ABI_VERSION.
 *
 * RESULTS AND ERRORS
 *   Every fallible function returns a das_result: DAS_RESULT_OK (0) or an error code. Codes are
 *   grouped (1xx arguments, 2xx state, 3xx network/protocol, 4xx data, 9xx internal) and never
 *   renumbered; das_result_name() names any code. After a call fails, das_last_error_message()
 *   gives a detailed message; it belongs to the calling thread and describes the most recent
 *   das_* call on that thread ("" after a success). Messages never contain secrets.
 *   Out-parameters are written only on success (the one exception: *written on
 *   DAS_RESULT_BUFFER_TOO_SMALL, see below).
 *
 * SAFETY CONTRACT
 *   - NULL is always detected for pointer arguments (DAS_RESULT_NULL_ARGUMENT), never
 *     dereferenced. Any other pointer must be valid for the stated length.
 *   - Integers that name an enum value are passed as uint32_t and checked
 *     (DAS_RESULT_INVALID_ENUM); never cast an arbitrary number to a libdas enum type.
 *   - Handles come from das_<object>_new and go back through das_<object>_free exactly once.
 *     _free(NULL) does nothing; freeing a pointer that is not a live handle of that type (for
 *     example a second free) is detected, ignored and recorded as the last error, as is any other
 *     use of such a pointer (DAS_RESULT_INVALID_HANDLE). This is a safety net, not a licence:
 *     the address may be reused by a newer handle.
 *   - A panic inside libdas never unwinds into C: the call returns DAS_RESULT_PANIC and the
 *     handle it was using is poisoned (every later call on it returns DAS_RESULT_POISONED; only
 *     _free works).
 *
 * THREAD SAFETY
 *   Free functions (das_version, das_result_name, das_last_error_message, das_set_log_*,
 *   das_webhook_parse, das_trd_*) may be called from any thread. das_config, das_webhook and
 *   das_delivery may move between threads; the functions that take them as a const pointer
 *   only read them and may run concurrently, the others (setters, das_delivery_ack, _free)
 *   need the handle to themselves.
 *   das_session, das_event and das_webhook_receiver are thread-safe: every call but
 *   _free may run concurrently. The intended session pattern is one pusher thread
 *   (das_session_push_audio / _push_wav / _end_audio) and one poller thread
 *   (das_session_poll_event), with das_session_close from any thread: it wakes a blocked poller,
 *   which then drains the events already queued and gets DAS_RESULT_CLOSED. _free a handle only
 *   after every other call on it has returned. Blocking calls (das_session_start, _poll_event
 *   with a timeout, das_webhook_receiver_next_delivery, das_trd_*) must not be made from the log
 *   callback. The log callback may be called from any thread, including libdas's own runtime
 *   threads; it must be thread-safe, return quickly and not call das_set_log_callback.
 *
 * SESSION STATES
 *   das_session_new -> das_session_start -> (push audio, poll events) -> das_session_close ->
 *   das_session_free. Before start: push, end_audio and poll return DAS_RESULT_NOT_READY. After
 *   start, audio pushed before info-consumer-ready waits in the bounded buffer; a full buffer is
 *   DAS_RESULT_WOULD_BLOCK (nothing taken, retry). After das_session_end_audio, pushes return
 *   DAS_RESULT_CLOSED. Polls return DAS_RESULT_CLOSED once the session ended (disconnected, a
 *   failed start or das_session_close) and its queue is empty. Instead of blocking in
 *   das_session_poll_event, a select/poll/epoll loop can wait for das_session_event_fd to become
 *   readable and then poll with timeout 0 until DAS_RESULT_TIMEOUT. Such a loop starts with
 *   das_session_start_nonblocking (the outcome is the first event: DAS_EVENT_KIND_STARTED, or
 *   DAS_EVENT_KIND_START_FAILED then DAS_RESULT_CLOSED; polls return DAS_RESULT_TIMEOUT and
 *   pushes DAS_RESULT_NOT_READY until then) and closes with das_session_close_nonblocking (the
 *   disconnect runs on libdas's thread; das_session_free then does not wait either).
 *
 * STRINGS AND BUFFERS
 *   Input strings are UTF-8 given as (const char *s, size_t len), borrowed for the call and
 *   copied; they need no NUL terminator. Pass len = DAS_NUL_TERMINATED to have libdas measure a
 *   NUL-terminated string instead. Inputs longer than DAS_MAX_STRING_LEN bytes are
 *   DAS_RESULT_OUT_OF_RANGE (checked before reading); invalid UTF-8 is DAS_RESULT_INVALID_UTF8.
 *   Output strings are copied into a caller buffer (char *buf, size_t len, size_t *written):
 *   on DAS_RESULT_OK, buf holds the string plus a NUL and *written is its length without the
 *   NUL; on DAS_RESULT_BUFFER_TOO_SMALL nothing is copied and *written is the size needed
 *   including the NUL. buf may be NULL when len is 0, to ask for the size. Static strings
 *   (das_version, das_result_name) are never freed.
 *
 * SHUTDOWN ORDER
 *   Close and free sessions, free events, deliveries and webhooks, stop and free receivers,
 *   then remove the log callback (das_set_log_callback(NULL, NULL)) before releasing
 *   its userdata. libdas starts its worker threads lazily; when the process exits (main returns
 *   or exit() is called) a library destructor stops them, dropping unfinished work, and later
 *   calls return DAS_RESULT_CLOSED. Configs, events and webhooks may be freed from atexit
 *   handlers and C++ static destructors; close and free sessions and receivers before main
 *   returns. There is no explicit global shutdown call. Under valgrind,
 *   count definite and indirect leaks (--errors-for-leak-kinds=definite,indirect): a few live
 *   runtime structures are reachable only through interior pointers and show as "possibly lost".
 *
 * EXAMPLE
 *   // A registration: push a WAV file, print every event. The service's endpoints and
 *   // credentials come from the environment variables the das command reads (DAS_URL,
 *   // DAS_TOKEN_URL, DAS_CLIENT_ID, DAS_CLIENT_SECRET, DAS_AUDIO_URL: a Twilio consumer).
 *   // The test command runs it against `das emulator`.
 *
 *   #include <stdio.h>
 *   #include <stdlib.h>
 *   #include "das.h"
 *
 *   static int fail(const char *what, das_result r) {
 *       char msg[512];
 *       size_t n;
 *       if (das_last_error_message(msg, sizeof msg, &n) != DAS_RESULT_OK) msg[0] = 0;
 *       fprintf(stderr, "%s: %s: %s\n", what, das_result_name(r), msg);
 *       return 1;
 *   }
 *
 *   static const char *env(const char *name) {
 *       const char *value = getenv(name);
 *       return value != NULL ? value : "";
 *   }
 *
 *   int main(void) {
 *       das_config *cfg = NULL;
 *       das_session *session = NULL;
 *       das_event *ev = NULL;
 *       das_result r;
 *       if (das_abi_version() != DAS_ABI_VERSION) return 1;
 *       das_config_new(&cfg);
 *       das_config_set_endpoint_url(cfg, env("DAS_URL"), DAS_NUL_TERMINATED);
 *       das_config_set_token_url(cfg, env("DAS_TOKEN_URL"), DAS_NUL_TERMINATED);
 *       das_config_set_client_credentials(cfg, env("DAS_CLIENT_ID"), DAS_NUL_TERMINATED,
 *                                         env("DAS_CLIENT_SECRET"), DAS_NUL_TERMINATED);
 *       das_config_set_session_kind(cfg, DAS_SESSION_KIND_REGISTER);
 *       das_config_set_metadata(cfg, DAS_METADATA_FIELD_CALL_ID, "888806c3-3391-4d73-bb86-e5874e6ed5b4", 36);
 *       das_config_set_authenticity_threshold(cfg, 0.8);
 *       das_config_set_audio_total_duration(cfg, 3.0);
 *       das_config_set_model_hash(cfg, "model", DAS_NUL_TERMINATED);
 *       das_config_set_audio_protocol(cfg, DAS_AUDIO_PROTOCOL_TWILIO);
 *       das_config_set_audio_url(cfg, env("DAS_AUDIO_URL"), DAS_NUL_TERMINATED);
 *       if ((r = das_config_validate(cfg)) != DAS_RESULT_OK) {
 *           das_config_free(cfg);
 *           return fail("config", r);
 *       }
 *       r = das_session_new(cfg, &session);
 *       das_config_free(cfg);
 *       if (r != DAS_RESULT_OK) return fail("session", r);
 *       if ((r = das_session_start(session)) != DAS_RESULT_OK) return fail("start", r);
 *       if ((r = das_session_push_wav(session, "samples/speaker-a.wav", DAS_NUL_TERMINATED)) != DAS_RESULT_OK)
 *           fail("push", r);
 *       das_session_end_audio(session);
 *       while ((r = das_session_poll_event(session, 30000, &ev)) == DAS_RESULT_OK) {
 *           const char *name;
 *           size_t len;
 *           double value;
 *           das_event_name(ev, &name, &len);
 *           printf("%s", name);
 *           if (das_event_vad_percentage(ev, &value) == DAS_RESULT_OK) printf(" vad=%.0f%%", value);
 *           if (das_event_authenticity(ev, &value) == DAS_RESULT_OK) printf(" authenticity=%.2f", value);
 *           printf("\n");
 *           if (das_event_is_final(ev)) das_session_close(session);
 *           das_event_free(ev);
 *       }
 *       if (r != DAS_RESULT_CLOSED) fail("poll", r);
 *       das_session_free(session);
 *       return r == DAS_RESULT_CLOSED ? 0 : 1;
 *   }
 */

#ifndef DAS_H
#define DAS_H

/* Generated by cbindgen from bindings/c; do not edit. Regenerate: DAS_BLESS=1 cargo test -p das-c --test abi header:: */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
// Pass as a string length to mean "the string is NUL-terminated; measure it" (SIZE_MAX).
#define DAS_NUL_TERMINATED SIZE_MAX

// Longest timeout accepted, by the timeout settings and by `das_session_poll_event`: one hour.
#define DAS_MAX_TIMEOUT_MS 3600000



// Longest string input accepted, in bytes (1 MiB); longer lengths are `OUT_OF_RANGE`
// and are rejected before any byte is read.
#define DAS_MAX_STRING_LEN (1 << 20)

// Major version of the library this header belongs to (checked against Cargo.toml by a test).
#define DAS_VERSION_MAJOR 0

// Minor version of the library this header belongs to.
#define DAS_VERSION_MINOR 1

// Patch version of the library this header belongs to.
#define DAS_VERSION_PATCH 0

// ABI generation of this header. Bumped on any incompatible change to an existing function,
// type or constant; adding functions or enum values does not bump it.
#define DAS_ABI_VERSION 1

// Largest webhook body accepted by `das_webhook_parse`, in bytes (64 MiB; TRD results of long
// calls with word details run to a few MiB).
#define DAS_MAX_BODY_LEN (64 << 20)

// Status code returned by every fallible `das_*` function.
//
// Codes are grouped by hundreds and never renumbered or reused: 0 success, 1xx argument errors,
// 2xx state, 3xx network and protocol, 4xx data, 9xx internal failures. Treat unknown codes as
// errors of their group. `das_last_error_message()` gives the detailed message of the failure.
enum das_result
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // Success.
  DAS_RESULT_OK = 0,
  // A required pointer argument was NULL.
  DAS_RESULT_NULL_ARGUMENT = 100,
  // A string argument was not valid UTF-8.
  DAS_RESULT_INVALID_UTF8 = 101,
  // An integer argument is not a value of the named enum.
  DAS_RESULT_INVALID_ENUM = 102,
  // The output buffer is too small; the needed size was reported.
  DAS_RESULT_BUFFER_TOO_SMALL = 103,
  // A numeric argument or a length is outside its allowed range.
  DAS_RESULT_OUT_OF_RANGE = 104,
  // A handle argument is not a live object of the expected type (already freed?).
  DAS_RESULT_INVALID_HANDLE = 105,
  // The object is not ready for this call yet (for example, a required setting is missing).
  DAS_RESULT_NOT_READY = 200,
  // The call would block; retry later.
  DAS_RESULT_WOULD_BLOCK = 201,
  // The wait ended without a result.
  DAS_RESULT_TIMEOUT = 202,
  // The object is closed.
  DAS_RESULT_CLOSED = 203,
  // The operation was already started.
  DAS_RESULT_ALREADY_STARTED = 204,
  // An I/O error.
  DAS_RESULT_IO = 300,
  // A TLS error.
  DAS_RESULT_TLS = 301,
  // The peer broke the protocol.
  DAS_RESULT_PROTOCOL = 302,
  // Authentication failed (token request refused, expired token, bad signature).
  DAS_RESULT_AUTH = 303,
  // The connection was refused.
  DAS_RESULT_CONNECT_REFUSED = 304,
  // The service stayed busy or rate-limited (HTTP 429/503) through every retry, or TRD's
  // server or gateway failed at its end (500/502/504): worth a later try.
  DAS_RESULT_BUSY = 305,
  // The service refused the request: invalid (HTTP 400/422), media too long or quota
  // exceeded (413); the message carries the server's detail.
  DAS_RESULT_REJECTED = 306,
  // A TRD job ended `FAILED`; the message carries its `failure_reason`.
  DAS_RESULT_JOB_FAILED = 307,
  // The proxy refused the tunnel (HTTP 407: credentials missing or wrong, 403: target not
  // allowed, 5xx: the proxy could not reach the target; or a SOCKS5 refusal) or broke it;
  // the message names the proxy (without credentials), the target and the status or
  // reason. An unreachable proxy is `DAS_RESULT_IO`, a silent one `DAS_RESULT_TIMEOUT`.
  DAS_RESULT_PROXY = 308,
  // Input data (JSON, URL, header, base64) could not be parsed.
  DAS_RESULT_PARSE = 400,
  // A token is malformed or does not match.
  DAS_RESULT_INVALID_TOKEN = 401,
  // The object has no such field (for example the VAD percentage of a result event, or a
  // segment without a speaker label).
  DAS_RESULT_NOT_PRESENT = 402,
  // The service has no such object (HTTP 404: an unknown TRD job id).
  DAS_RESULT_NOT_FOUND = 403,
  // Rust code panicked inside the call; the handle involved is now poisoned.
  DAS_RESULT_PANIC = 900,
  // The handle was poisoned by an earlier panic; only `_free` is allowed.
  DAS_RESULT_POISONED = 901,
  // An internal error (a bug in libdas).
  DAS_RESULT_INTERNAL = 902,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_result das_result;
#else
typedef uint32_t das_result;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// The kind of a session event. Numbers are stable; new kinds may be added, so keep a
// `default:` branch. `DAS_EVENT_KIND_INVALID` is only returned for a bad handle.
enum das_event_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // Not an event (NULL or freed handle); see `das_last_error_message`.
  DAS_EVENT_KIND_INVALID = 0,
  // `info-consumer-ready`: the audio consumer is ready.
  DAS_EVENT_KIND_CONSUMER_READY = 1,
  // `info-vad-status`: seconds of audio received and voice-activity percentage.
  DAS_EVENT_KIND_VAD_STATUS = 2,
  // `result-success`: the final result (authenticity, credential...).
  DAS_EVENT_KIND_RESULT_SUCCESS = 3,
  // `result-failure`: the service could not produce a result.
  DAS_EVENT_KIND_RESULT_FAILURE = 4,
  // `error`: the service reported an error.
  DAS_EVENT_KIND_ERROR = 5,
  // The signalling ended (the last event of a session).
  DAS_EVENT_KIND_DISCONNECTED = 6,
  // Any other event, passed through with its name and JSON.
  DAS_EVENT_KIND_OTHER = 7,
  // `audio-ended`, generated locally: the audio channel ended (`das_event_reason` is
  // `finished`, `consumer-closed` or `error`, and `das_event_message` says why for `error`;
  // the event's JSON has the failure's class as `error_kind`, `auth` or `proxy` say).
  DAS_EVENT_KIND_AUDIO_ENDED = 8,
  // `started`, generated locally: `das_session_start_nonblocking` connected and emitted
  // `initialize`; pushes are accepted from now on.
  DAS_EVENT_KIND_STARTED = 9,
  // `start-failed`, generated locally: `das_session_start_nonblocking` failed.
  // `das_event_start_result` gives the code `das_session_start` would have returned and
  // `das_event_message` why; the session is closed and this is its last event.
  DAS_EVENT_KIND_START_FAILED = 10,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_event_kind das_event_kind;
#else
typedef uint32_t das_event_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// What a `result-success` decided (`das_event_verdict`). The rule, from what the service
// sends, is in docs/das-peak.md. Numbers are stable.
enum das_verdict
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // The result says neither.
  DAS_VERDICT_UNKNOWN = 0,
  // Approved registration or accepted verification.
  DAS_VERDICT_ACCEPTED = 1,
  // Rejected verification.
  DAS_VERDICT_REJECTED = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_verdict das_verdict;
#else
typedef uint32_t das_verdict;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// Severity of a log event, also used as a threshold.
enum das_log_level
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // No logging (only as a threshold).
  DAS_LOG_LEVEL_OFF = 0,
  // Errors.
  DAS_LOG_LEVEL_ERROR = 1,
  // Warnings.
  DAS_LOG_LEVEL_WARN = 2,
  // Informational events.
  DAS_LOG_LEVEL_INFO = 3,
  // Debugging detail, including every failed `das_*` call.
  DAS_LOG_LEVEL_DEBUG = 4,
  // Very verbose tracing (protocol frames).
  DAS_LOG_LEVEL_TRACE = 5,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_log_level das_log_level;
#else
typedef uint32_t das_log_level;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// `job.status` as a number. Unknown statuses are `DAS_JOB_STATUS_OTHER`; the string getter
// `das_webhook_status` always has the exact value.
enum das_job_status
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // A status this library does not know (read it with `das_webhook_status`).
  DAS_JOB_STATUS_OTHER = 0,
  // `QUEUED`: waiting for normalization.
  DAS_JOB_STATUS_QUEUED = 1,
  // `IN_PROGRESS`: being transcribed.
  DAS_JOB_STATUS_IN_PROGRESS = 2,
  // `COMPLETED`: segments hold the transcript.
  DAS_JOB_STATUS_COMPLETED = 3,
  // `FAILED`: see `das_webhook_failure_reason`.
  DAS_JOB_STATUS_FAILED = 4,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_job_status das_job_status;
#else
typedef uint32_t das_job_status;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// The kind of das-Peak Streaming session.
enum das_session_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // Enrol a speaker (`register_request`).
  DAS_SESSION_KIND_REGISTER = 1,
  // Verify a speaker against a credential (`verify_request`).
  DAS_SESSION_KIND_VERIFY = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_session_kind das_session_kind;
#else
typedef uint32_t das_session_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// A string field of the `metadata` object sent with `initialize`.
enum das_metadata_field
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // `audio_protocol`, e.g. `"audiohook"` or `"twilio"`.
  DAS_METADATA_FIELD_AUDIO_PROTOCOL = 1,
  // `audio_format`, e.g. `"raw"`.
  DAS_METADATA_FIELD_AUDIO_FORMAT = 2,
  // `audio_codec`, e.g. `"mulaw"`.
  DAS_METADATA_FIELD_AUDIO_CODEC = 3,
  // `sample_format`, `""` in the documented example.
  DAS_METADATA_FIELD_SAMPLE_FORMAT = 4,
  // `sample_rate`, a decimal string such as `"8000"`.
  DAS_METADATA_FIELD_SAMPLE_RATE = 5,
  // `channels`, a decimal string such as `"1"`.
  DAS_METADATA_FIELD_CHANNELS = 6,
  // `call_id`, which joins the signalling session to the audio stream.
  DAS_METADATA_FIELD_CALL_ID = 7,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_metadata_field das_metadata_field;
#else
typedef uint32_t das_metadata_field;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// The audio channel protocol.
enum das_audio_protocol
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // Genesys AudioHook; the session acts as the AudioHook client.
  DAS_AUDIO_PROTOCOL_AUDIOHOOK = 1,
  // Twilio Media Streams (`start`/`media` frames, `callSid = call_id`).
  DAS_AUDIO_PROTOCOL_TWILIO = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_audio_protocol das_audio_protocol;
#else
typedef uint32_t das_audio_protocol;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// The codec of the audio sent on the audio channel.
enum das_audio_codec
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // G.711 µ-law.
  DAS_AUDIO_CODEC_MULAW = 1,
  // G.711 A-law.
  DAS_AUDIO_CODEC_ALAW = 2,
  // Linear 16-bit little-endian PCM.
  DAS_AUDIO_CODEC_L16 = 3,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_audio_codec das_audio_codec;
#else
typedef uint32_t das_audio_codec;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// Which wait a timeout bounds.
enum das_timeout
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // Opening a connection (TCP + TLS + WebSocket / HTTP).
  DAS_TIMEOUT_CONNECT = 1,
  // The OAuth2 token request.
  DAS_TIMEOUT_TOKEN = 2,
  // From `initialize` to `info-consumer-ready`.
  DAS_TIMEOUT_READY = 3,
  // From the end of audio to the final `result-*` event.
  DAS_TIMEOUT_RESULT = 4,
  // A graceful close.
  DAS_TIMEOUT_CLOSE = 5,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_timeout das_timeout;
#else
typedef uint32_t das_timeout;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// How the TRD webhook receiver speaks TLS.
enum das_tls_mode
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // HTTPS with a freshly generated self-signed certificate (for `127.0.0.1` and `localhost`,
  // or the bind host); its PEM is what `das_trd_validate` registers with TRD.
  DAS_TLS_MODE_SELF_SIGNED = 1,
  // HTTPS with the caller's certificate chain and private key (PEM text).
  DAS_TLS_MODE_PEM = 2,
  // Plain HTTP, for on-premises TRD or a TLS-terminating proxy.
  DAS_TLS_MODE_PLAIN = 3,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_tls_mode das_tls_mode;
#else
typedef uint32_t das_tls_mode;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// How fast pushed audio is sent on the audio channel.
enum das_audio_pacing
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // At 1x real time, as a live call produces it (the default).
  DAS_AUDIO_PACING_REAL_TIME = 1,
  // As fast as the consumer accepts it (files, tests).
  DAS_AUDIO_PACING_AS_FAST_AS_POSSIBLE = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_audio_pacing das_audio_pacing;
#else
typedef uint32_t das_audio_pacing;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// Which list a `das_trd_job_add` call appends to.
enum das_trd_job_field
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // A `config` item: `key=value` (several may be comma-joined) or one JSON object.
  DAS_TRD_JOB_FIELD_CONFIG = 1,
  // A callback URL; TRD posts the result to `{url}/{job_id}`.
  DAS_TRD_JOB_FIELD_CALLBACK_URL = 2,
  // The job's tag (set, not appended: the last one wins).
  DAS_TRD_JOB_FIELD_TAG = 3,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_trd_job_field das_trd_job_field;
#else
typedef uint32_t das_trd_job_field;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// The job calls that take a job id and answer a job or result.
enum das_trd_job_call
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // `GET /job/status/{id}`: the job without segments.
  DAS_TRD_JOB_CALL_STATUS = 1,
  // `GET /job/result/{id}`: the whole result.
  DAS_TRD_JOB_CALL_RESULT = 2,
  // `POST /job/stop/{id}`: the job after stopping it.
  DAS_TRD_JOB_CALL_STOP = 3,
  // `POST /job/retry/{id}`: the job queued again.
  DAS_TRD_JOB_CALL_RETRY = 4,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_trd_job_call das_trd_job_call;
#else
typedef uint32_t das_trd_job_call;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// Which roots TLS connections trust besides those added with
// `das_config_add_trusted_root_pem`.
enum das_trusted_roots
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // Only the Mozilla roots built into libdas.
  DAS_TRUSTED_ROOTS_BUNDLED = 1,
  // Only the machine's: `SSL_CERT_FILE` / `SSL_CERT_DIR` when set, else the system store.
  DAS_TRUSTED_ROOTS_SYSTEM = 2,
  // Both (the default).
  DAS_TRUSTED_ROOTS_BOTH = 3,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum das_trusted_roots das_trusted_roots;
#else
typedef uint32_t das_trusted_roots;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// A session configuration builder. Create with `das_config_new`, fill with the setters, release
// with `das_config_free`. The functions taking `const das_config *` only read and may run on
// several threads at once; a setter or `das_config_free` needs the handle to itself.
typedef struct das_config das_config;

// One accepted webhook delivery. Release with `das_delivery_free`; acknowledge first with
// `das_delivery_ack` when the result is stored. The getters (`const das_delivery *`) only read
// and may run on several threads at once; `_ack` and `_free` need the handle to themselves.
typedef struct das_delivery das_delivery;

// One session event, taken with `das_session_poll_event`. Immutable: several threads may
// read it at once; release it once with `das_event_free`.
typedef struct das_event das_event;

// A das-Peak Streaming session (register or verify). Thread-safe with one rule: every call
// but `das_session_free` may run concurrently (typically one pusher thread, one poller thread,
// and `das_session_close` from a third); `das_session_free` must come after all of them
// returned.
typedef struct das_session das_session;

// A TRD API client. Make it with `das_trd_client_new`, release it with `das_trd_client_free`
// after every call on it has returned. Thread-safe.
typedef struct das_trd_client das_trd_client;

// A job request. Not thread-safe: one thread at a time.
typedef struct das_trd_job das_trd_job;

// A running query. Not thread-safe: one thread at a time.
typedef struct das_trd_query das_trd_query;

// A webhook receiver whose deliveries go to the `das_trd_transcribe` calls waiting for them.
// Thread-safe; free it after every call using it has returned.
typedef struct das_trd_webhooks das_trd_webhooks;

// A parsed TRD job result. Create with `das_webhook_parse` (or `das_delivery_webhook`), read
// with the getters, release with `das_webhook_free`. The getters (`const das_webhook *`) only
// read and may run on several threads at once; `das_webhook_free` needs the handle to itself.
typedef struct das_webhook das_webhook;

// A running TRD webhook receiver. Thread-safe: any number of threads may call
// `das_webhook_receiver_next_delivery` and the getters at once, and `..._stop` wakes them;
// `das_webhook_receiver_free` must come after every other call on it has returned.
typedef struct das_webhook_receiver das_webhook_receiver;

// Receives one log event. `target` (the Rust module, e.g. `"das::config"`) and `message` are
// NUL-terminated UTF-8, valid only during the call. Called from any thread, one event at a time
// per thread; it must not call `das_set_log_callback`.
typedef void (*das_log_callback)(void *userdata,
                                 das_log_level level,
                                 const char *target,
                                 const char *message);

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

// Creates an empty configuration with the documented defaults and stores it in `*out`.
//
// Ownership: the caller owns `*out` and releases it with `das_config_free`.
//
// # Safety
// `out` must point to a writable `das_config *`.
das_result das_config_new(das_config **out);

// Releases a configuration. NULL is ignored; a pointer that is not a live configuration (for
// example one already freed) is ignored and recorded as the last error, never dereferenced.
//
// Ownership: takes ownership of `config`; the pointer is invalid afterwards.
//
// # Safety
// No other thread may be using `config`.
void das_config_free(das_config *config);

// Sets the signalling (Socket.IO) base URL: `http`, `https`, `ws` or `wss`; otherwise
// `DAS_RESULT_PARSE`.
//
// Ownership: `url` is borrowed and copied.
//
// # Safety
// `config` is a live configuration; `url`/`len` follow the string-input convention.
das_result das_config_set_endpoint_url(das_config *config, const char *url, size_t len);

// Sets the OAuth2 token URL (`http` or `https`), required with client credentials.
//
// Ownership: `url` is borrowed and copied.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_set_token_url(das_config *config, const char *url, size_t len);

// Authenticates with OAuth2 client credentials; both non-empty. Replaces a static header.
// Sessions with the same token URL, credentials, token timeout and trusted roots share one
// cached token while any of them lives.
//
// Ownership: both strings are borrowed and copied; the secret is never logged.
//
// # Safety
// `config` is a live configuration; both strings follow the string-input convention.
das_result das_config_set_client_credentials(das_config *config,
                                             const char *client_id,
                                             size_t client_id_len,
                                             const char *client_secret,
                                             size_t client_secret_len);

// Authenticates with a fixed `Authorization` header value such as `"Bearer eyJ..."`; it must be
// a valid HTTP header value (`DAS_RESULT_PARSE` otherwise). Replaces client credentials.
//
// Ownership: `value` is borrowed and copied; it is never logged.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_set_authorization(das_config *config, const char *value, size_t len);

// Sets the Socket.IO namespace (must start with `/`). Unset, the session chooses by kind.
//
// Ownership: `ns` is borrowed and copied.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_set_namespace(das_config *config, const char *ns, size_t len);

// Sets the session kind, a `das_session_kind` value (`DAS_RESULT_INVALID_ENUM` otherwise).
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_session_kind(das_config *config, uint32_t kind);

// Sets one `metadata` string (`field` is a `das_metadata_field`), sent verbatim. Unset fields
// are derived from the audio channel settings; `call_id` must be set.
//
// Ownership: `value` is borrowed and copied.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_set_metadata(das_config *config,
                                   uint32_t field,
                                   const char *value,
                                   size_t len);

// Copies the `metadata` value that will be sent for `field` (explicit or derived) into `buf`.
// An unset `call_id` is `DAS_RESULT_NOT_READY`. Output-buffer convention as in the preamble.
//
// Ownership: `buf` and `written` are borrowed for the call.
//
// # Safety
// `config` is a live configuration; `buf`/`len`/`written` follow the output-buffer convention.
das_result das_config_get_metadata(const das_config *config,
                                   uint32_t field,
                                   char *buf,
                                   size_t len,
                                   size_t *written);

// Sets `authenticity_threshold`, in `[0, 1]` (`DAS_RESULT_OUT_OF_RANGE` otherwise, NaN too).
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_authenticity_threshold(das_config *config, double threshold);

// Sets a verification's `score_threshold`, in `[0, 1]` (`DAS_RESULT_OUT_OF_RANGE`
// otherwise, NaN too): the similarity at or above which the speaker is accepted; also what
// `das_event_verdict` compares the score with when the result says nothing else.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_score_threshold(das_config *config, double threshold);

// Sets `audio_total_duration`, the seconds of speech to collect, in `(0, 3600]`.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_audio_total_duration(das_config *config, double seconds);

// Sets `model_hash` (non-empty).
//
// Ownership: `hash` is borrowed and copied.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_set_model_hash(das_config *config, const char *hash, size_t len);

// Sets `credential`, the voice credential a verify session compares against (non-empty).
//
// Ownership: `credential` is borrowed and copied; it is never logged.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_set_credential(das_config *config, const char *credential, size_t len);

// Sets extra request keys from a JSON object, merged last into the request object (so they win
// over the typed setters). Not an object or not JSON: `DAS_RESULT_PARSE`, nothing changes.
//
// Ownership: `json` is borrowed and copied.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_set_extra_json(das_config *config, const char *json, size_t len);

// Sets the audio channel protocol, a `das_audio_protocol` (default AudioHook).
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_audio_protocol(das_config *config, uint32_t protocol);

// Makes sessions signalling only (`true`): no audio channel, even with an audio URL set,
// and none required; someone else streams the call to the audio consumer with the session's
// `call_id` (Genesys Cloud does, with the conversation id). The metadata still announces the
// audio protocol, codec, rate and channels set here. Pushes then return
// `DAS_RESULT_NOT_READY`. Default `false`: a session needs an audio URL.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_signalling_only(das_config *config, bool signalling_only);

// Sets the audio consumer URL (`ws` or `wss`).
//
// Ownership: `url` is borrowed and copied.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_set_audio_url(das_config *config, const char *url, size_t len);

// Sets the audio codec, a `das_audio_codec` (default µ-law).
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_audio_codec(das_config *config, uint32_t codec);

// Sets the audio sample rate in Hz, `8000..=48000` (default 8000).
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_audio_sample_rate(das_config *config, uint32_t hz);

// Sets the number of audio channels, 1 or 2 (default 1).
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_audio_channels(das_config *config, uint32_t channels);

// Sets the AudioHook API key (non-empty) and client secret (base64, may be empty for unsigned
// requests; `DAS_RESULT_PARSE` when not base64).
//
// Ownership: both strings are borrowed and copied; the secret is never logged.
//
// # Safety
// `config` is a live configuration; both strings follow the string-input convention.
das_result das_config_set_audiohook_credentials(das_config *config,
                                                const char *api_key,
                                                size_t api_key_len,
                                                const char *client_secret,
                                                size_t client_secret_len);

// Sets the AudioHook `organizationId` sent in the `open` message, a UUID (`DAS_RESULT_PARSE`
// otherwise; default the nil UUID).
//
// Ownership: `id` is borrowed and copied.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_set_audiohook_organization_id(das_config *config, const char *id, size_t len);

// Sets how fast pushed audio is sent, a `das_audio_pacing` (default
// `DAS_AUDIO_PACING_REAL_TIME`; `DAS_AUDIO_PACING_AS_FAST_AS_POSSIBLE` for files and tests).
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_audio_pacing(das_config *config, uint32_t pacing);

// Sets one timeout (`which` is a `das_timeout`) in milliseconds, `1..=3600000`.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_timeout_ms(das_config *config, uint32_t which, uint32_t ms);

// Copies one timeout in milliseconds into `*ms`.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration; `ms` points to a writable `uint32_t`.
das_result das_config_get_timeout_ms(const das_config *config, uint32_t which, uint32_t *ms);

// Sets the most audio bytes queued before pushes return `DAS_RESULT_WOULD_BLOCK`,
// `1024..=67108864` (default 262144).
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_audio_buffer_bytes(das_config *config, size_t bytes);

// Also trusts the certificates in `pem` (one or more PEM `CERTIFICATE` blocks) for every TLS
// connection a session makes: the token endpoint, the signalling and the audio channel. The
// roots chosen with `das_config_set_trusted_roots` stay trusted. A PEM that holds no valid
// certificate fails with `DAS_RESULT_PARSE` and leaves the configuration unchanged.
//
// Ownership: `pem` is borrowed and copied.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_add_trusted_root_pem(das_config *config, const char *pem, size_t len);

// Chooses which roots every TLS connection of a session trusts besides the PEM roots added
// with `das_config_add_trusted_root_pem`, a `das_trusted_roots`: the bundled Mozilla roots,
// the machine's (`SSL_CERT_FILE` / `SSL_CERT_DIR` when set, else the operating system's
// store, where an inspecting proxy's root is installed), or both (the default). A server
// certificate no trusted root knows fails the session start with `DAS_RESULT_TLS`, and the
// message names its issuer and the roots consulted.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_trusted_roots(das_config *config, uint32_t roots);

// Sets the proxy of every connection a session makes (token endpoint, signalling, audio
// channel) and of a TRD client made with this configuration: `http://[user:password@]host[:port]`
// (CONNECT tunnels), `https://…` (the same over TLS to the proxy, trusting this configuration's
// roots), `socks5h://…` (SOCKS5, the proxy resolves names) or `socks5://…` (SOCKS5, names
// resolved here); hosts `NO_PROXY` names still connect directly. Or `""` (len 0) to connect
// directly whatever the environment says. Without this call the proxy comes from the
// environment as curl reads it (`https_proxy`, `http_proxy`, `all_proxy`, `no_proxy`, upper
// case too). The credentials never appear in `das_config_to_json` or in messages. A URL that
// is none of these fails with `DAS_RESULT_PARSE` and leaves the configuration unchanged.
//
// Ownership: `url` is borrowed and copied.
//
// # Safety
// As `das_config_set_endpoint_url`.
das_result das_config_set_proxy(das_config *config, const char *url, size_t len);

// Sets the most events a session queues, `1..=1000000` (default 1024).
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_event_queue_capacity(das_config *config, size_t events);

// Sets the byte budget of a session's event queue (default 16 MiB; each event counted at its
// size on the wire): a poller that falls behind holds at most this much in queued events
// (plus one event heavier than the budget); the signalling then waits, and the server's sends
// back up. At least 1.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_event_queue_bytes(das_config *config, size_t bytes);

// Sets the log level of sessions built from this configuration, a `das_log_level`.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_set_log_level(das_config *config, uint32_t level);

// Checks that a session can start from this configuration; `DAS_RESULT_NOT_READY` with a
// message naming every missing setting otherwise.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
//
// # Safety
// `config` is a live configuration.
das_result das_config_validate(const das_config *config);

// Copies the JSON `initialize` payload the session will emit (metadata plus
// `register_request`/`verify_request`, extra JSON merged) into `buf`. It contains the credential
// if one is set. `DAS_RESULT_NOT_READY` without a session kind.
//
// Ownership: `buf` and `written` are borrowed for the call.
//
// # Safety
// `config` is a live configuration; `buf`/`len`/`written` follow the output-buffer convention.
das_result das_config_initialize_json(const das_config *config,
                                      char *buf,
                                      size_t len,
                                      size_t *written);

// Copies every setting as JSON into `buf`, with secrets replaced by `"<redacted>"` (safe to
// log).
//
// Ownership: `buf` and `written` are borrowed for the call.
//
// # Safety
// `config` is a live configuration; `buf`/`len`/`written` follow the output-buffer convention.
das_result das_config_to_json(const das_config *config, char *buf, size_t len, size_t *written);

// Runs libdas on the program's threads instead of a libdas thread, for a program with its own
// event loop. Call it before anything that starts libdas's runtime (the first
// `das_session_start*`, TRD client or webhook receiver); afterwards it is
// `DAS_RESULT_ALREADY_STARTED` (calling it again in caller-driven mode is `DAS_RESULT_OK`).
//
// From then on sessions make progress only while one of the program's threads is inside
// libdas: in `das_run` (the event loop's wait), or in a blocking call while it waits
// (`das_session_start`, `das_session_poll_event` with a timeout, `das_session_close`, …).
// Call `das_run` at least every few hundred milliseconds while sessions are open: between
// calls nothing is read or sent, and pings go unanswered.
//
// Ownership: nothing is allocated or transferred.
das_result das_runtime_caller_driven(void);

// Runs every session for at most `timeout_ms` (≤ `DAS_MAX_TIMEOUT_MS`): their I/O, timers and
// audio. Returns `DAS_RESULT_OK` as soon as an event (or a session's end) was queued since the
// previous `das_run` returned, `DAS_RESULT_TIMEOUT` when the time ran out first; 0 runs what is
// ready and returns. Then take the events with `das_session_poll_event(s, 0, …)` (the event
// descriptors of `das_session_event_fd` tell which sessions have some) and push the audio
// that is due. `DAS_RESULT_NOT_READY` unless `das_runtime_caller_driven` was called;
// `DAS_RESULT_INTERNAL` from inside a log callback. One thread at a time: another caller waits
// for the first to return.
//
// Ownership: nothing is allocated or transferred.
das_result das_run(uint32_t timeout_ms);

// The kind of `event`; `DAS_EVENT_KIND_INVALID` (with the last error set) for NULL or a
// pointer that is not a live event.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is NULL or a pointer obtained from `das_session_poll_event`.
das_event_kind das_event_get_kind(const das_event *event);

// Whether no result can follow `event`, so an event loop should stop and close the session:
// `result-success`, `result-failure`, `error`, `disconnected`, `start-failed`, or an
// `audio-ended` whose channel failed before sending any audio (the service would only reach
// its audio timeout). `false` for other events, and (with the last error set) for NULL or a
// pointer that is not a live event.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is NULL or a pointer obtained from `das_session_poll_event`.
bool das_event_is_final(const das_event *event);

// Lends the event name as on the wire (`"info-vad-status"`, ...; for the local events
// `"disconnected"`, `"audio-ended"`, `"started"` and `"start-failed"`).
//
// Ownership: `*name` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
//
// # Safety
// `event` is a live event; `name` and `len` are writable.
das_result das_event_name(const das_event *event, const char **name, size_t *len);

// Lends the payload as compact JSON with the keys in the sender's order; for documented events
// it includes `"event": name`. das-Peak sends payloads as JSON strings holding the object; this
// is that object.
//
// Ownership: `*json` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
//
// # Safety
// `event` is a live event; `json` and `len` are writable.
das_result das_event_json(const das_event *event, const char **json, size_t *len);

// `audio_seconds` of an `info-vad-status` event: seconds of audio received so far.
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field; nothing is
// written then.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is a live event; `value` is writable.
das_result das_event_audio_seconds(const das_event *event, double *value);

// `vad_percentage` of an `info-vad-status` event: share of voice in the audio, 0-100.
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field; nothing is
// written then.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is a live event; `value` is writable.
das_result das_event_vad_percentage(const das_event *event, double *value);

// `authenticity` of a `result-success` event, 0-1.
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field; nothing is
// written then.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is a live event; `value` is writable.
das_result das_event_authenticity(const das_event *event, double *value);

// `voice_audio_collected` of a `result-success` event, in seconds.
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field; nothing is
// written then.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is a live event; `value` is writable.
das_result das_event_voice_audio_collected(const das_event *event, double *value);

// `score` of a `result-success` event: the similarity a verification reports (the
// public documentation only shows registration, so it is read when present).
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field; nothing is
// written then.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is a live event; `value` is writable.
das_result das_event_score(const das_event *event, double *value);

// `threshold` of a `result-success` event: what `score` is compared with (the payload's
// `score_threshold`, else the one set with `das_config_set_score_threshold`).
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when neither says; nothing is written then.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is a live event; `value` is writable.
das_result das_event_threshold(const das_event *event, double *value);

// Writes the verdict of a `result-success` event (`DAS_VERDICT_ACCEPTED`, `_REJECTED` or
// `_UNKNOWN`; the rule is in docs/das-peak.md). `DAS_RESULT_NOT_PRESENT` for other kinds.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is a live event; `verdict` is writable.
das_result das_event_verdict(const das_event *event, das_verdict *verdict);

// Lends the audio a `result-success` carries (its second argument, binary or base64 text, or
// its `collected_audio` field; see docs/das-peak.md), in the session's codec and rate.
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when the result carries none.
//
// Ownership: `*data` (`*len` bytes) is owned by `event`, valid until `das_event_free`.
//
// # Safety
// `event` is a live event; `data` and `len` are writable.
das_result das_event_collected_audio(const das_event *event, const uint8_t **data, size_t *len);

// Writes how many Socket.IO arguments the server sent with the event (0 for the local
// events: `disconnected`, `audio-ended`, `started`, `start-failed`).
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is a live event; `count` is writable.
das_result das_event_argument_count(const das_event *event, size_t *count);

// Lends argument `index` (from 0) as compact JSON text, exactly as sent (das-Peak's payload
// is a JSON string, so its text is a quoted string; `das_event_json` is it decoded).
//
// `DAS_RESULT_OUT_OF_RANGE` past the last argument; `DAS_RESULT_NOT_PRESENT` for a binary
// argument (read it with `das_event_argument_bytes`).
//
// Ownership: `*json` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
//
// # Safety
// `event` is a live event; `json` and `len` are writable.
das_result das_event_argument_json(const das_event *event,
                                   size_t index,
                                   const char **json,
                                   size_t *len);

// Lends argument `index` (from 0) when it is binary (a Socket.IO attachment).
//
// `DAS_RESULT_OUT_OF_RANGE` past the last argument; `DAS_RESULT_NOT_PRESENT` for a JSON
// argument (read it with `das_event_argument_json`).
//
// Ownership: `*data` (`*len` bytes) is owned by `event`, valid until `das_event_free`.
//
// # Safety
// `event` is a live event; `data` and `len` are writable.
das_result das_event_argument_bytes(const das_event *event,
                                    size_t index,
                                    const uint8_t **data,
                                    size_t *len);

// Lends attachment `num` (from 0): the bytes each `{"_placeholder":true,"num":num}` inside the
// payload (`das_event_json`) or an argument's JSON text stands for. Servers written with
// python-socketio or socketioxide send binary data nested in an object this way; a binary
// argument of its own is read with `das_event_argument_bytes` instead.
//
// `DAS_RESULT_NOT_PRESENT` when no placeholder is nested in the event or `num` is past the
// last attachment.
//
// Ownership: `*data` (`*len` bytes) is owned by `event`, valid until `das_event_free`.
//
// # Safety
// `event` is a live event; `data` and `len` are writable.
das_result das_event_attachment(const das_event *event,
                                size_t num,
                                const uint8_t **data,
                                size_t *len);

// `content` of a `result-success`, `result-failure` or `error` event (e.g.
// `"Registration: approved"`).
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field.
//
// Ownership: `*text` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
//
// # Safety
// `event` is a live event; `text` and `len` are writable.
das_result das_event_content(const das_event *event, const char **text, size_t *len);

// `credential` of a `result-success` event: the voice credential to store after a
// registration. It is a secret: never log it.
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field.
//
// Ownership: `*text` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
//
// # Safety
// `event` is a live event; `text` and `len` are writable.
das_result das_event_credential(const das_event *event, const char **text, size_t *len);

// `reason` of a `result-failure` event, why a `disconnected` event ended the session, or how
// the audio ended (`audio-ended`: `finished`, `consumer-closed` or `error`).
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field.
//
// Ownership: `*text` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
//
// # Safety
// `event` is a live event; `text` and `len` are writable.
das_result das_event_reason(const das_event *event, const char **text, size_t *len);

// `message` of an `error` event, the cause of an `audio-ended` event whose reason is
// `error`, or why a `start-failed` event's start failed.
//
// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field.
//
// Ownership: `*text` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
//
// # Safety
// `event` is a live event; `text` and `len` are writable.
das_result das_event_message(const das_event *event, const char **text, size_t *len);

// Writes whether a `disconnected` event came before any `result-*` (the session is lost; the
// service keeps no state to resume). `DAS_RESULT_NOT_PRESENT` for other kinds.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is a live event; `before_result` is writable.
das_result das_event_before_result(const das_event *event, bool *before_result);

// Writes the result code of a `DAS_EVENT_KIND_START_FAILED` event: what `das_session_start`
// would have returned (`DAS_RESULT_AUTH` for refused credentials, `DAS_RESULT_TIMEOUT`, ...;
// `das_event_message` says why). `DAS_RESULT_NOT_PRESENT` for other kinds.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `event` is a live event; `result` is writable.
das_result das_event_start_result(const das_event *event, das_result *result);

// Releases an event. NULL is ignored; a pointer that is not a live event is ignored and
// recorded as the last error.
//
// Ownership: takes ownership of `event`; strings lent from it become invalid.
//
// # Safety
// No other thread may be using `event`.
void das_event_free(das_event *event);

// Copies the detailed message of the most recent `das_*` call made on this thread into `buf`.
//
// The message is empty when that call succeeded. This function does not change the stored
// message, so a `DAS_RESULT_BUFFER_TOO_SMALL` round-trip is possible: call with `buf = NULL,
// len = 0`, allocate `*written` bytes, call again. Output-buffer convention as in the preamble.
//
// Ownership: `buf` and `written` are borrowed for the call; nothing is allocated.
//
// # Safety
// `buf` must be NULL (only with `len == 0`) or point to `len` writable bytes; `written` must
// point to a writable `size_t`.
das_result das_last_error_message(char *buf, size_t len, size_t *written);

// Sets (or, with `callback == NULL`, removes) the function that receives libdas log events.
//
// After this returns, the previous callback is not running and will not be called again, so its
// `userdata` may be released. Returns `DAS_RESULT_WOULD_BLOCK` when called from inside a log
// callback. Events are filtered by `das_set_log_level` (default `DAS_LOG_LEVEL_WARN`).
//
// Ownership: `userdata` stays owned by the caller and is passed back untouched; it must stay valid
// until the callback is replaced or removed.
//
// # Safety
// `callback` must be safe to call from any thread with `userdata`.
das_result das_set_log_callback(das_log_callback callback, void *userdata);

// Sets the most verbose level delivered to the log callback (`das_log_level`; default
// `DAS_LOG_LEVEL_WARN`; `DAS_LOG_LEVEL_OFF` silences it). Values outside the enum are
// `DAS_RESULT_INVALID_ENUM`.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
das_result das_set_log_level(uint32_t level);

// The name of a result code, e.g. `"DAS_RESULT_NULL_ARGUMENT"`, or `"DAS_RESULT_UNKNOWN"`
// for a number that is not a code.
//
// Ownership: the returned string is static; never free it. Never returns NULL.
const char *das_result_name(uint32_t code);

// Creates a session from a configuration that passes `das_config_validate` (`NOT_READY`
// naming what is missing otherwise). Nothing is sent yet: see `das_session_start`. The
// configuration is copied; it may be changed or freed afterwards.
//
// Ownership: `config` is borrowed for the call; the caller owns `*out` and releases it with
// `das_session_free`.
//
// # Safety
// `config` is a live configuration; `out` is writable.
das_result das_session_new(const das_config *config, das_session **out);

// Starts the session, blocking: fetches a token (client credentials) or uses the static
// header, connects the signalling, waits until the namespace is accepted and emits
// `initialize`. Bounded by the token plus connect timeouts.
//
// Errors: rejected credentials `DAS_RESULT_AUTH`, namespace refused
// `DAS_RESULT_CONNECT_REFUSED`, no answer `DAS_RESULT_TIMEOUT`, network `DAS_RESULT_IO`, a
// second start `DAS_RESULT_ALREADY_STARTED`, closed `DAS_RESULT_CLOSED`. A failed start
// closes the session (polls then return `DAS_RESULT_CLOSED`). `das_session_close` from
// another thread cancels a start that is still fetching the token or connecting: it returns
// `DAS_RESULT_CLOSED` at once.
// An event loop uses `das_session_start_nonblocking`, which returns at once.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `session` is a live session.
das_result das_session_start(const das_session *session);

// Starts the session like `das_session_start` but returns at once: the start runs on libdas's
// runtime and its outcome is the first event of the queue, so the event descriptor wakes an
// event loop. On success a `DAS_EVENT_KIND_STARTED` event (JSON `{"event":"started",
// "call_id":...}`); from then on pushes are accepted. On failure a `DAS_EVENT_KIND_START_FAILED`
// event carrying the code `das_session_start` would have returned (`das_event_start_result`)
// and its message (`das_event_message`), then the queue ends (`DAS_RESULT_CLOSED`).
//
// While it starts, polls return `DAS_RESULT_TIMEOUT` (the descriptor is not readable), pushes
// and `das_session_end_audio` `DAS_RESULT_NOT_READY`. `das_session_close` (or
// `das_session_close_nonblocking`) cancels a start that has not completed: no outcome event
// follows, polls return `DAS_RESULT_CLOSED`. Returns `DAS_RESULT_OK` once the start is under way,
// `DAS_RESULT_ALREADY_STARTED` after a start, `DAS_RESULT_CLOSED` after a close.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `session` is a live session.
das_result das_session_start_nonblocking(const das_session *session);

// Queues a copy of `len` bytes of call audio (the configured codec, sample rate and channel
// layout, interleaved) for the audio channel.
//
// Returns `DAS_RESULT_OK`; `DAS_RESULT_WOULD_BLOCK` when the audio buffer
// (`das_config_set_audio_buffer_bytes`) is full: nothing was taken, retry after polling
// events or sleeping briefly (the refusal makes the channel send what it holds, even less
// than a frame, so a retry succeeds whatever the buffer and push sizes); `DAS_RESULT_NOT_READY` before `das_session_start`;
// `DAS_RESULT_CLOSED` after `das_session_end_audio`, after `das_session_close` or once the
// session ended; `DAS_RESULT_OUT_OF_RANGE` when `len` exceeds the whole buffer. Audio pushed
// after start but before `info-consumer-ready` waits in the buffer (it is not refused).
//
// Ownership: `data` is borrowed for the call and copied.
//
// # Safety
// `session` is a live session; `data` points to `len` readable bytes (it may be NULL when
// `len` is 0, as an empty C++ vector's data is: nothing is queued).
das_result das_session_push_audio(const das_session *session,
                                  const uint8_t *data,
                                  size_t len);

// Reads a WAV file (PCM16, µ-law or A-law, any rate, mono or stereo), converts it to the
// session's codec at 8 kHz with its channel layout (stereo is downmixed for a mono session,
// mono duplicated for a stereo one) and queues all of it, blocking while the audio buffer is
// full: at most the result timeout, then `DAS_RESULT_TIMEOUT` with the rest not queued. Does
// not end the audio. A file that cannot be opened or read is `DAS_RESULT_IO`, a malformed
// one `DAS_RESULT_PARSE` (the message names the file and the cause; a `data` chunk whose size
// runs past the end of the file, as a recorder that stopped early leaves it, is read to the
// end of the file); other results as
// `das_session_push_audio`.
//
// Ownership: `path` is borrowed for the call.
//
// # Safety
// `session` is a live session; `path`/`len` follow the string-input convention.
das_result das_session_push_wav(const das_session *session, const char *path, size_t len);

// Tells the service no more audio follows; later pushes return `DAS_RESULT_CLOSED`. Calling
// it twice is harmless. `DAS_RESULT_NOT_READY` before start.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `session` is a live session.
das_result das_session_end_audio(const das_session *session);

// Takes the next event, waiting at most `timeout_ms` (0 never blocks; more than
// `DAS_MAX_TIMEOUT_MS` is `DAS_RESULT_OUT_OF_RANGE`).
//
// Returns `DAS_RESULT_OK` with `*out` set; `DAS_RESULT_TIMEOUT` when nothing arrived in time;
// `DAS_RESULT_CLOSED` once the session ended (disconnected, failed start, or
// `das_session_close`) and every queued event was taken — events queued before a close are
// still delivered first. `DAS_RESULT_NOT_READY` before a start (`DAS_RESULT_TIMEOUT` while a
// non-blocking one runs). A
// `das_session_close` from another thread wakes a blocked call.
//
// Ownership: the caller owns `*out` and releases it with `das_event_free`.
//
// # Safety
// `session` is a live session; `out` is writable.
das_result das_session_poll_event(const das_session *session, uint32_t timeout_ms, das_event **out);

// Writes a file descriptor that is readable while an event is pending or the session has
// ended, for select/poll/epoll loops: when it polls readable, call `das_session_poll_event`
// with timeout 0 until it returns `DAS_RESULT_TIMEOUT` (or `DAS_RESULT_CLOSED`). Never read
// from or close the descriptor; it is valid until `das_session_free` (remove it from an
// epoll set first: the session's tasks may hold it open a little longer, and an epoll set
// keeps reporting a descriptor until every copy is closed). The first call makes it
// (a socket pair: `DAS_RESULT_IO` if the process is out of descriptors); sessions that are
// only polled never hold one.
//
// Ownership: the descriptor stays owned by `session`.
//
// # Safety
// `session` is a live session; `fd` is writable.
das_result das_session_event_fd(const das_session *session, int32_t *fd);

// Lends the `call_id` that joins the signalling to the audio channel (the configured one).
//
// Ownership: `*call_id` (NUL-terminated) is owned by `session`, valid until
// `das_session_free`.
//
// # Safety
// `session` is a live session; `call_id` and `len` are writable.
das_result das_session_call_id(const das_session *session, const char **call_id, size_t *len);

// Closes the session: cancels a `das_session_start` still connecting in another thread (it
// returns `DAS_RESULT_CLOSED`), disconnects the signalling (bounded by the close timeout),
// wakes any thread blocked in `das_session_poll_event` and makes later pushes return
// `DAS_RESULT_CLOSED`. Safe from any thread, idempotent. An event loop that must not wait
// for the disconnect uses `das_session_close_nonblocking`.
//
// Ownership: nothing is allocated or transferred; the handle stays valid until freed.
//
// # Safety
// `session` is a live session.
das_result das_session_close(const das_session *session);

// Closes the session like `das_session_close` without waiting for the disconnect: returns at
// once with the session ended for the caller (a start under way is cancelled, pushes return
// `DAS_RESULT_CLOSED`, polls deliver what was queued then `DAS_RESULT_CLOSED`, the descriptor
// polls readable) while the signalling is disconnected on libdas's runtime, still bounded by
// the close timeout. `das_session_free` afterwards does not wait either. Safe from any
// thread, idempotent (a later `das_session_close` returns at once).
//
// Ownership: nothing is allocated or transferred; the handle stays valid until freed.
//
// # Safety
// `session` is a live session.
das_result das_session_close_nonblocking(const das_session *session);

// Closes (if needed, waiting for the disconnect like `das_session_close`) and releases a
// session. NULL is ignored; a pointer that is not a live
// session is ignored and recorded as the last error. Events already taken stay valid.
//
// Ownership: takes ownership of `session`; its event descriptor and lent strings become
// invalid.
//
// # Safety
// Every other call on `session` must have returned.
void das_session_free(das_session *session);

// `POST /job/create`: uploads the recording of `job` (streamed from disk) with its config,
// callback URLs and tag; `*out` is the created job (normally `QUEUED`; its id via
// `das_webhook_job_id`).
//
// Errors: missing file `DAS_RESULT_IO`, empty file `DAS_RESULT_OUT_OF_RANGE`, a config item
// that is neither `key=value` nor a JSON object `DAS_RESULT_PARSE`, credentials refused
// `DAS_RESULT_AUTH`, TRD refused the job (400/413/422, message with the server's detail)
// `DAS_RESULT_REJECTED`, busy through every retry or a failing server or gateway
// (500/502/504) `DAS_RESULT_BUSY`, no answer
// `DAS_RESULT_TIMEOUT`, unreachable `DAS_RESULT_CONNECT_REFUSED`.
//
// Ownership: `client` and `job` are borrowed; the caller owns `*out` (`das_webhook_free`).
//
// # Safety
// `client` and `job` are live; `job` is used by no other thread during the call; `out` is
// writable.
das_result das_trd_create_job(const das_trd_client *client,
                              const das_trd_job *job,
                              das_webhook **out);

// Runs `call` (a `das_trd_job_call`) on job `job_id`; `*out` is the answer.
//
// Errors as `das_trd_create_job`, plus an unknown job `DAS_RESULT_NOT_FOUND`, an id that is
// not 1-100 URL-safe characters `DAS_RESULT_PARSE`, an unknown `call`
// `DAS_RESULT_INVALID_ENUM`.
//
// Ownership: `job_id` is borrowed; the caller owns `*out` (`das_webhook_free`).
//
// # Safety
// `client` is live; `job_id` follows the string-input convention; `out` is writable.
das_result das_trd_call(const das_trd_client *client,
                        uint32_t call,
                        const char *job_id,
                        size_t job_id_len,
                        das_webhook **out);

// `DELETE /job/{id}`. Errors as `das_trd_call`.
//
// Ownership: `job_id` is borrowed.
//
// # Safety
// `client` is live; `job_id` follows the string-input convention.
das_result das_trd_delete_job(const das_trd_client *client, const char *job_id, size_t job_id_len);

// `GET /job?page=&limit=&tag=`: copies `{"jobs": [...], "total": N|null}` into `buf`
// (output-buffer convention). `page` and `limit` 0 leave them to TRD (1 and 100); `tag` NULL
// lists every job. Errors as `das_trd_call`.
//
// Ownership: strings are borrowed; `buf` and `written` are borrowed.
//
// # Safety
// `client` is live; `tag` follows the string-input convention (NULL allowed);
// `buf`/`len`/`written` the output-buffer one.
das_result das_trd_list_jobs(const das_trd_client *client,
                             uint32_t page,
                             uint32_t limit,
                             const char *tag,
                             size_t tag_len,
                             char *buf,
                             size_t len,
                             size_t *written);

// Makes a client for the TRD API at `base_url` (e.g. `https://speech.cpqd.com.br/trd/v3`).
//
// Credentials, at most one kind: `bearer` (a ready-made token); or `username` + `password`
// with `license_url` (tokens from the CPqD license server, refreshed before they expire);
// or `username` + `password` alone (HTTP Basic on every request); or none (all NULL).
// `timeout_ms` (at least 1) bounds each request; an upload also gets its size at 256 KiB/s.
// `tls` (NULL: the default, bundled + the machine's roots) lends the trusted roots chosen
// with `das_config_set_trusted_roots` and `das_config_add_trusted_root_pem`; only those
// settings of the configuration are read, at this call.
// Requests answered 429/503 are retried up to 3 times, honouring `Retry-After`.
//
// Errors: a bad URL `DAS_RESULT_PARSE`; a mix of credential kinds, or an empty `bearer` (an
// unset setting: NULL is none), `DAS_RESULT_OUT_OF_RANGE`.
//
// Ownership: strings are borrowed and copied (secrets never logged); the caller owns `*out`
// and releases it with `das_trd_client_free`.
//
// # Safety
// Strings follow the string-input convention (NULL allowed except `base_url`); `tls` is NULL
// or a live configuration; `out` is writable.
das_result das_trd_client_new(const char *base_url,
                              size_t base_url_len,
                              const char *bearer,
                              size_t bearer_len,
                              const char *license_url,
                              size_t license_url_len,
                              const char *username,
                              size_t username_len,
                              const char *password,
                              size_t password_len,
                              uint32_t timeout_ms,
                              const das_config *tls,
                              das_trd_client **out);

// Releases a client. NULL is ignored; a pointer that is not a live client is ignored and
// recorded as the last error.
//
// Ownership: takes ownership of `client`.
//
// # Safety
// No other thread may be using `client`.
void das_trd_client_free(das_trd_client *client);

// A request for the recording at `path`. The file is only opened when the job is submitted
// (a missing file is reported then, `DAS_RESULT_IO`; an empty one `DAS_RESULT_OUT_OF_RANGE`).
//
// Ownership: `path` is copied; the caller owns `*out` and releases it with `das_trd_job_free`.
//
// # Safety
// `path` follows the string-input convention; `out` is writable.
das_result das_trd_job_new(const char *path, size_t path_len, das_trd_job **out);

// Adds `value` to the request's `field` (a `das_trd_job_field`). Config items are checked
// when the job is submitted (`DAS_RESULT_PARSE`).
//
// Errors: an unknown `field` `DAS_RESULT_INVALID_ENUM`.
//
// Ownership: `value` is copied.
//
// # Safety
// `job` is a live job request; `value` follows the string-input convention.
das_result das_trd_job_add(das_trd_job *job, uint32_t field, const char *value, size_t value_len);

// Releases a job request. NULL is ignored.
//
// Ownership: takes ownership of `job`.
//
// # Safety
// No other thread may be using `job`.
void das_trd_job_free(das_trd_job *job);

// Starts `GET /query/job`. `filter_json` (NULL: no filter) is a JSON object with any of
// `tags`, `filenames`, `statuses`, `projection` (string arrays), `with_result` (bool),
// `page`, `limit` (integers), `start_date`, `end_date` (ISO 8601 strings).
//
// Errors: a filter that is not such an object `DAS_RESULT_PARSE` (naming the field); the
// request's errors as `das_trd_call`.
//
// Ownership: `filter_json` is borrowed; the caller owns `*out` (`das_trd_query_free`).
//
// # Safety
// `client` is live; `filter_json` follows the string-input convention (NULL allowed); `out`
// is writable.
das_result das_trd_query_start(const das_trd_client *client,
                               const char *filter_json,
                               size_t filter_json_len,
                               das_trd_query **out);

// The next record as a `das_webhook` in `*out` (`job`, and `segments` when the filter asked
// for results); `DAS_RESULT_CLOSED` after the last one. A record TRD sent malformed gives
// `DAS_RESULT_PROTOCOL` and the following records can still be read. Each wait for data is
// bounded by the client's timeout (`DAS_RESULT_TIMEOUT`).
//
// Ownership: the caller owns `*out` (`das_webhook_free`).
//
// # Safety
// `query` is live and used by no other thread; `out` is writable.
das_result das_trd_query_next(das_trd_query *query, das_webhook **out);

// Releases a query (closing its connection if records remain). NULL is ignored.
//
// Ownership: takes ownership of `query`.
//
// # Safety
// No other thread may be using `query`.
void das_trd_query_free(das_trd_query *query);

// Starts a receiver on `host:port` (NULL host: `127.0.0.1`; `0.0.0.0` to be reachable by TRD;
// port 0: a free one) that TRD reaches as `public_host` (NULL: the bound address). HTTPS with
// a self-signed certificate unless `plain_http`. With `validate`, the URL, a fresh token and
// the certificate are registered with TRD's `webhook/validate` first (TRD answering
// `reachable: false` is `DAS_RESULT_PROTOCOL`), and deliveries must carry that token.
//
// Errors: bind failures `DAS_RESULT_IO`, a bad host `DAS_RESULT_PARSE`, the validate call's
// errors as `das_trd_call`.
//
// Ownership: strings are borrowed; the caller owns `*out` (`das_trd_webhooks_free`).
//
// # Safety
// `client` is live; strings follow the string-input convention (NULL allowed); `out` is
// writable.
das_result das_trd_webhooks_start(const das_trd_client *client,
                                  const char *host,
                                  size_t host_len,
                                  uint16_t port,
                                  const char *public_host,
                                  size_t public_host_len,
                                  bool plain_http,
                                  bool validate,
                                  das_trd_webhooks **out);

// Lends the receiver's URL (`https://host:port`), the callback URL jobs are given.
//
// Ownership: `*url` is owned by `webhooks` and valid until `das_trd_webhooks_free`.
//
// # Safety
// `webhooks` is live; `url` and `len` are writable.
das_result das_trd_webhooks_url(const das_trd_webhooks *webhooks, const char **url, size_t *len);

// Stops the receiver and releases it. NULL is ignored.
//
// Ownership: takes ownership of `webhooks`.
//
// # Safety
// No other thread may be using `webhooks`.
void das_trd_webhooks_free(das_trd_webhooks *webhooks);

// Creates the job and waits for its result: through `webhooks` (its URL is added to the
// job's callback URLs), or by polling `job/status` (500 ms, doubling up to 10 s) when
// `webhooks` is NULL. `*out` is the `COMPLETED` result.
//
// `timeout_ms` (at least 1) bounds the wait after the upload; when it runs out the result is
// `DAS_RESULT_TIMEOUT`, after sending `job/stop` if `stop_on_timeout`. A job that ends
// `FAILED` is `DAS_RESULT_JOB_FAILED` with its `failure_reason` in the message. Other errors
// as `das_trd_create_job`.
//
// Ownership: handles are borrowed; the caller owns `*out` (`das_webhook_free`).
//
// # Safety
// `client` and `job` are live (`job` used by no other thread during the call); `webhooks` is
// NULL or live; `out` is writable.
das_result das_trd_transcribe(const das_trd_client *client,
                              const das_trd_job *job,
                              const das_trd_webhooks *webhooks,
                              uint32_t timeout_ms,
                              bool stop_on_timeout,
                              das_webhook **out);

// `GET webhook/whoami` with `client`: copies this machine's address as TRD sees it into `buf`
// (output-buffer convention). Errors as `das_trd_whoami`.
//
// Ownership: `client`, `buf` and `written` are borrowed for the call.
//
// # Safety
// `client` is a live client; `buf`/`len`/`written` follow the output-buffer convention.
das_result das_trd_client_whoami(const das_trd_client *client,
                                 char *buf,
                                 size_t len,
                                 size_t *written);

// `webhook/validate` with `client`: as `das_trd_validate` (a GET with `token` and `crt_pem`
// both NULL, else a POST that registers them), answer in `*reachable`.
//
// Ownership: strings are borrowed for the call; the token is never logged.
//
// # Safety
// `client` is a live client; strings follow the string-input convention (NULL allowed for
// `token`, `crt_pem`); `reachable` is writable.
das_result das_trd_client_validate(const das_trd_client *client,
                                   const char *webhook_url,
                                   size_t webhook_url_len,
                                   const char *token,
                                   size_t token_len,
                                   const char *crt_pem,
                                   size_t crt_pem_len,
                                   bool *reachable);

// The library version, e.g. `"0.1.0"`.
//
// Ownership: the returned string is static; never free it. Never returns NULL.
const char *das_version(void);

// The ABI generation of the loaded library; compare it with `DAS_ABI_VERSION` at start-up.
//
// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
uint32_t das_abi_version(void);

// `GET {base_url}/webhook/whoami`: copies this machine's address as TRD sees it into `buf`
// (output-buffer convention). `base_url` is e.g. `https://speech.cpqd.com.br/trd/v3`; `bearer`
// is the token without `Bearer ` (NULL: no `Authorization` header; empty:
// `DAS_RESULT_OUT_OF_RANGE`, before any request). Every request is bounded
// by `timeout_ms` (at least 1).
//
// Errors: 401/403 `DAS_RESULT_AUTH`, no answer `DAS_RESULT_TIMEOUT`, unreachable
// `DAS_RESULT_CONNECT_REFUSED`, bad URL `DAS_RESULT_PARSE`, a server certificate no trusted
// root knows `DAS_RESULT_TLS` (the message names its issuer), TRD busy or its server or
// gateway failing (429, 500, 502, 503, 504) `DAS_RESULT_BUSY`, a refused request (400, 413,
// 422) `DAS_RESULT_REJECTED`, 404 `DAS_RESULT_NOT_FOUND`, other answers
// `DAS_RESULT_PROTOCOL`. TLS trusts the bundled Mozilla roots and the machine's
// (`SSL_CERT_FILE` / `SSL_CERT_DIR` when set, else the system store).
//
// Ownership: strings are borrowed for the call; `buf` and `written` are borrowed.
//
// # Safety
// Strings follow the string-input convention; `buf`/`len`/`written` the output-buffer one.
das_result das_trd_whoami(const char *base_url,
                          size_t base_url_len,
                          const char *bearer,
                          size_t bearer_len,
                          uint32_t timeout_ms,
                          char *buf,
                          size_t len,
                          size_t *written);

// `POST {token_url}` with HTTP Basic `username`/`password`: fetches a bearer token from the
// CPqD license server (e.g. `https://SL_HOST:SL_PORT/auth/token`) and copies it into `buf`
// (output-buffer convention), to pass as `bearer` to `das_trd_whoami`/`das_trd_validate`.
// The token expires after the server's `expires_in`; fetch a new one then. Errors as
// `das_trd_whoami` (wrong credentials: `DAS_RESULT_AUTH`).
//
// Ownership: strings are borrowed for the call; the password and token are never logged.
//
// # Safety
// Strings follow the string-input convention; `buf`/`len`/`written` the output-buffer one.
das_result das_trd_license_token(const char *token_url,
                                 size_t token_url_len,
                                 const char *username,
                                 size_t username_len,
                                 const char *password,
                                 size_t password_len,
                                 uint32_t timeout_ms,
                                 char *buf,
                                 size_t len,
                                 size_t *written);

// `webhook/validate`: asks TRD whether it can reach the webhook at `webhook_url`
// (`scheme://host[:port]`) and writes the answer to `*reachable`. With `token` or `crt_pem`
// (the receiver's certificate, see `das_webhook_receiver_certificate_pem`) the request is a
// POST that registers them with TRD; with both NULL it is a GET. Errors as `das_trd_whoami`,
// and an empty `token` is `DAS_RESULT_INVALID_TOKEN`, before anything is sent.
//
// Ownership: strings are borrowed for the call; the token is never logged.
//
// # Safety
// Strings follow the string-input convention (NULL allowed for `bearer`, `token`, `crt_pem`);
// `reachable` is writable.
das_result das_trd_validate(const char *base_url,
                            size_t base_url_len,
                            const char *bearer,
                            size_t bearer_len,
                            const char *webhook_url,
                            size_t webhook_url_len,
                            const char *token,
                            size_t token_len,
                            const char *crt_pem,
                            size_t crt_pem_len,
                            uint32_t timeout_ms,
                            bool *reachable);

// Lends the job id of the URL path (equal to the body's `job.id`).
//
// Ownership: `*id` is owned by `delivery` and valid until `das_delivery_free`.
//
// # Safety
// `delivery` is a live delivery; `id` and `len` are writable.
das_result das_delivery_job_id(const das_delivery *delivery, const char **id, size_t *len);

// Lends the callback name of `POST /{name}/{job_id}`; `DAS_RESULT_NOT_PRESENT` for the root
// route `POST /{job_id}`.
//
// Ownership: `*name` is owned by `delivery` and valid until `das_delivery_free`.
//
// # Safety
// `delivery` is a live delivery; `name` and `len` are writable.
das_result das_delivery_name(const das_delivery *delivery, const char **name, size_t *len);

// Lends the body exactly as received (it contains the shared token: do not log it).
//
// Ownership: `*body` is owned by `delivery` and valid until `das_delivery_free`; it is not
// NUL-terminated.
//
// # Safety
// `delivery` is a live delivery; `body` and `len` are writable.
das_result das_delivery_body(const das_delivery *delivery, const uint8_t **body, size_t *len);

// Writes whether TRD delivered this job (for this callback name) before: the receiver, or a
// previous one on the same spool, already handed it off. Process it idempotently.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `delivery` is a live delivery; `duplicate` is writable.
das_result das_delivery_is_duplicate(const das_delivery *delivery, bool *duplicate);

// Writes whether this delivery was read back from the spool at start-up (accepted by an
// earlier receiver but never acknowledged).
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `delivery` is a live delivery; `recovered` is writable.
das_result das_delivery_is_recovered(const das_delivery *delivery, bool *recovered);

// Gives the parsed result as a new webhook handle (a copy; the delivery stays usable).
//
// Ownership: the caller owns `*out` and releases it with `das_webhook_free`.
//
// # Safety
// `delivery` is a live delivery; `out` is writable.
das_result das_delivery_webhook(const das_delivery *delivery, das_webhook **out);

// Acknowledges the delivery: the application has stored the result, so its spool file is
// deleted (without a spool this does nothing). Acknowledging twice is harmless. A delivery
// freed without `ack` is delivered again by the next receiver on the same spool.
//
// Errors: `DAS_RESULT_IO` when the spool file could not be deleted; it then stays on disk and
// the next receiver on the spool delivers it again (flagged duplicate).
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `delivery` is a live delivery.
das_result das_delivery_ack(das_delivery *delivery);

// Releases a delivery. NULL is ignored; a pointer that is not a live delivery is ignored and
// recorded as the last error.
//
// Ownership: takes ownership of `delivery`; strings lent from it become invalid.
//
// # Safety
// No other thread may be using `delivery`.
void das_delivery_free(das_delivery *delivery);

// Parses a TRD webhook body (the JSON job result TRD POSTs). Pure: no runtime, no I/O.
//
// Not JSON, the wrong shape, or truncated: `DAS_RESULT_PARSE` with a message naming the JSON
// path, line and column (`invalid TRD result at `segments[0].start` (line 3, column 18): ...`).
// Unknown fields are kept (see `das_webhook_to_json`); unknown statuses are kept verbatim.
//
// Ownership: `body` is borrowed for the call; the caller owns `*out` and releases it with
// `das_webhook_free`.
//
// # Safety
// `body` points to `len` readable bytes; `out` points to a writable `das_webhook *`.
das_result das_webhook_parse(const uint8_t *body, size_t len, das_webhook **out);

// Releases a webhook and every string lent from it. NULL is ignored; a pointer that is not a
// live webhook is ignored and recorded as the last error.
//
// Ownership: takes ownership of `webhook`.
//
// # Safety
// No other thread may be using `webhook`.
void das_webhook_free(das_webhook *webhook);

// Lends the whole result as compact JSON, every field kept (unknown ones too), keys in the
// order received. That includes the shared `token`, a secret: do not log it as it is.
//
// Ownership: `*json` (NUL-terminated, `*len` bytes without the NUL) is owned by `webhook` and
// valid until `das_webhook_free`.
//
// # Safety
// `webhook` is a live webhook; `json` and `len` are writable.
das_result das_webhook_to_json(const das_webhook *webhook, const char **json, size_t *len);

// Checks the body's top-level `token` against the one expected, in constant time:
// `DAS_RESULT_OK`, or `DAS_RESULT_INVALID_TOKEN` when the body has no token or another one, or
// when `token` is empty (an unset setting would otherwise accept `"token": ""`).
//
// Ownership: `token` is borrowed for the call; it is never logged.
//
// # Safety
// `webhook` is a live webhook; `token`/`len` follow the string-input convention.
das_result das_webhook_verify_token(const das_webhook *webhook, const char *token, size_t len);

// Lends `job.id`.
//
// Ownership: `*id` is owned by `webhook` and valid until `das_webhook_free` (NUL-terminated).
//
// # Safety
// `webhook` is a live webhook; `id` and `len` are writable.
das_result das_webhook_job_id(const das_webhook *webhook, const char **id, size_t *len);

// Lends `job.status` exactly as received (`"COMPLETED"`, `"FAILED"`, or any other value).
//
// Ownership: `*status` is owned by `webhook` and valid until `das_webhook_free`.
//
// # Safety
// `webhook` is a live webhook; `status` and `len` are writable.
das_result das_webhook_status(const das_webhook *webhook, const char **status, size_t *len);

// Writes `job.status` as a `das_job_status` (`DAS_JOB_STATUS_OTHER` for unknown values).
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `webhook` is a live webhook; `status` is writable.
das_result das_webhook_job_status(const das_webhook *webhook, das_job_status *status);

// Lends `job.failure_reason`; `DAS_RESULT_NOT_PRESENT` when it is `null` or absent. TRD
// sends `""` on jobs that did not fail: that is lent as is (`*len` 0), so test the status,
// not this call, to know whether the job failed.
//
// Ownership: `*reason` is owned by `webhook` and valid until `das_webhook_free`.
//
// # Safety
// `webhook` is a live webhook; `reason` and `len` are writable.
das_result das_webhook_failure_reason(const das_webhook *webhook, const char **reason, size_t *len);

// Writes the number of output channels described in `job.media.output.channels` (0 when
// absent).
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `webhook` is a live webhook; `count` is writable.
das_result das_webhook_channel_count(const das_webhook *webhook, size_t *count);

// Writes the channel number and duration in seconds of output channel `index`
// (`0..das_webhook_channel_count`). `DAS_RESULT_OUT_OF_RANGE` past the end;
// `DAS_RESULT_NOT_PRESENT` when that channel has no duration (nothing is written then).
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `webhook` is a live webhook; `channel` and `seconds` are writable.
das_result das_webhook_channel(const das_webhook *webhook,
                               size_t index,
                               uint32_t *channel,
                               double *seconds);

// Lends the whole transcript: the best hypothesis of every segment in time order, separated by
// spaces (`""` when nothing was recognized).
//
// Ownership: `*text` is owned by `webhook` and valid until `das_webhook_free`.
//
// # Safety
// `webhook` is a live webhook; `text` and `len` are writable.
das_result das_webhook_transcript(const das_webhook *webhook, const char **text, size_t *len);

// Lends the transcript of one audio channel (segments whose `channel` equals `channel`), in
// time order; `""` for a channel without recognized text.
//
// Ownership: `*text` is owned by `webhook` and valid until `das_webhook_free`.
//
// # Safety
// `webhook` is a live webhook; `text` and `len` are writable.
das_result das_webhook_transcript_of_channel(const das_webhook *webhook,
                                             uint32_t channel,
                                             const char **text,
                                             size_t *len);

// Starts a receiver for `POST /{job_id}` and `POST /{name}/{job_id}` on `host:port`.
//
// - `host`: an IP address to bind (NULL: `127.0.0.1`; use `0.0.0.0` to be reachable by TRD).
//   `port` 0 picks a free port (read it back with `das_webhook_receiver_url`).
// - `token`: when not NULL, every delivery must carry this top-level `token` (constant-time
//   comparison; others are answered 401 and never delivered). An empty `token` is refused
//   with `DAS_RESULT_INVALID_TOKEN`: it would let bodies with `"token": ""` in.
// - `tls_mode`: a `das_tls_mode`. `DAS_TLS_MODE_PEM` needs `cert_pem` and `key_pem`; the other
//   modes ignore them (pass NULL).
// - `spool_dir`: when not NULL, each accepted body is kept in this directory until
//   `das_delivery_ack`, and redelivered by the next receiver started on it.
//
// Errors: bind or spool failures `DAS_RESULT_IO`, bad certificate/key `DAS_RESULT_TLS`.
//
// Ownership: every string is borrowed and copied; the caller owns `*out` and releases it with
// `das_webhook_receiver_free`.
//
// # Safety
// Strings follow the string-input convention (NULL allowed where stated); `out` is writable.
das_result das_webhook_receiver_start(const char *host,
                                      size_t host_len,
                                      uint16_t port,
                                      const char *token,
                                      size_t token_len,
                                      uint32_t tls_mode,
                                      const char *cert_pem,
                                      size_t cert_pem_len,
                                      const char *key_pem,
                                      size_t key_pem_len,
                                      const char *spool_dir,
                                      size_t spool_dir_len,
                                      das_webhook_receiver **out);

// Lends the base URL to register with TRD (`https://127.0.0.1:PORT`); TRD appends `/{job_id}`.
//
// Ownership: `*url` is owned by `receiver` and valid until `das_webhook_receiver_free`.
//
// # Safety
// `receiver` is a live receiver; `url` and `len` are writable.
das_result das_webhook_receiver_url(const das_webhook_receiver *receiver,
                                    const char **url,
                                    size_t *len);

// Lends the PEM of the server certificate (what `das_trd_validate` registers as `crt`);
// `DAS_RESULT_NOT_PRESENT` in `DAS_TLS_MODE_PLAIN`.
//
// Ownership: `*pem` is owned by `receiver` and valid until `das_webhook_receiver_free`.
//
// # Safety
// `receiver` is a live receiver; `pem` and `len` are writable.
das_result das_webhook_receiver_certificate_pem(const das_webhook_receiver *receiver,
                                                const char **pem,
                                                size_t *len);

// Waits up to `timeout_ms` for the next accepted delivery (0 never blocks). Deliveries
// recovered from the spool come first.
//
// Returns `DAS_RESULT_OK` with `*out` set, `DAS_RESULT_TIMEOUT` when none arrived in time, or
// `DAS_RESULT_CLOSED` once the receiver was stopped and every queued delivery was taken.
//
// Ownership: the caller owns `*out` and releases it with `das_delivery_free` (after
// `das_delivery_ack` once the result is safely stored).
//
// # Safety
// `receiver` is a live receiver; `out` is writable.
das_result das_webhook_receiver_next_delivery(const das_webhook_receiver *receiver,
                                              uint32_t timeout_ms,
                                              das_delivery **out);

// Stops accepting connections and closes open ones. Deliveries already queued can still be
// taken; after that `das_webhook_receiver_next_delivery` returns `DAS_RESULT_CLOSED`.
// Stopping twice is harmless.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `receiver` is a live receiver.
das_result das_webhook_receiver_stop(const das_webhook_receiver *receiver);

// Stops (if needed) and releases a receiver. NULL is ignored; a pointer that is not a live
// receiver is ignored and recorded as the last error.
//
// Ownership: takes ownership of `receiver`. Deliveries taken from it stay valid.
//
// # Safety
// Every other call on `receiver` must have returned.
void das_webhook_receiver_free(das_webhook_receiver *receiver);

// Writes the number of segments (0 when the result has none, e.g. a failed job).
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `webhook` is a live webhook; `count` is writable.
das_result das_webhook_segment_count(const das_webhook *webhook, size_t *count);

// Writes segment `segment`'s start and end, in seconds from the start of the audio, and its
// audio channel.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `webhook` is a live webhook; `start`, `end` and `channel` are writable.
das_result das_webhook_segment(const das_webhook *webhook,
                               size_t segment_index,
                               double *start,
                               double *end,
                               uint32_t *channel);

// Lends segment `segment`'s speaker label (labels restart on every channel);
// `DAS_RESULT_NOT_PRESENT` without diarization.
//
// Ownership: `*speaker` is owned by `webhook` and valid until `das_webhook_free`.
//
// # Safety
// `webhook` is a live webhook; `speaker` and `len` are writable.
das_result das_webhook_segment_speaker(const das_webhook *webhook,
                                       size_t segment_index,
                                       const char **speaker,
                                       size_t *len);

// Lends segment `segment`'s recognition status as received (`"RECOGNIZED"`, `"NO_MATCH"`,
// ...); `DAS_RESULT_NOT_PRESENT` when absent.
//
// Ownership: `*status` is owned by `webhook` and valid until `das_webhook_free`.
//
// # Safety
// `webhook` is a live webhook; `status` and `len` are writable.
das_result das_webhook_segment_status(const das_webhook *webhook,
                                      size_t segment_index,
                                      const char **status,
                                      size_t *len);

// Writes the number of recognition hypotheses of segment `segment` (best first; 0 when
// nothing was recognized).
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `webhook` is a live webhook; `count` is writable.
das_result das_webhook_alternative_count(const das_webhook *webhook,
                                         size_t segment_index,
                                         size_t *count);

// Lends the text of hypothesis `alternative` of segment `segment` (`""` when absent).
//
// Ownership: `*text` is owned by `webhook` and valid until `das_webhook_free`.
//
// # Safety
// `webhook` is a live webhook; `text` and `len` are writable.
das_result das_webhook_alternative_text(const das_webhook *webhook,
                                        size_t segment_index,
                                        size_t alternative_index,
                                        const char **text,
                                        size_t *len);

// Writes the confidence score of hypothesis `alternative` of segment `segment`;
// `DAS_RESULT_NOT_PRESENT` when absent.
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `webhook` is a live webhook; `score` is writable.
das_result das_webhook_alternative_score(const das_webhook *webhook,
                                         size_t segment_index,
                                         size_t alternative_index,
                                         double *score);

// Writes the number of words of hypothesis `alternative` of segment `segment` (0 without
// word details).
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `webhook` is a live webhook; `count` is writable.
das_result das_webhook_word_count(const das_webhook *webhook,
                                  size_t segment_index,
                                  size_t alternative_index,
                                  size_t *count);

// Lends the text of word `word` of hypothesis `alternative` of segment `segment`.
//
// Ownership: `*text` is owned by `webhook` and valid until `das_webhook_free`.
//
// # Safety
// `webhook` is a live webhook; `text` and `len` are writable.
das_result das_webhook_word_text(const das_webhook *webhook,
                                 size_t segment_index,
                                 size_t alternative_index,
                                 size_t word_index,
                                 const char **text,
                                 size_t *len);

// Writes the start and end of word `word` as TRD sent them (`start_time`, `end_time`). TRD
// does not document their reference; in every public sample they are relative to the segment,
// so the word's time in the file is `segment start + start_time` (what the Rust and Python
// APIs call "timed words").
//
// Ownership: nothing is allocated or transferred.
//
// # Safety
// `webhook` is a live webhook; `start` and `end` are writable.
das_result das_webhook_word_times(const das_webhook *webhook,
                                  size_t segment_index,
                                  size_t alternative_index,
                                  size_t word_index,
                                  double *start,
                                  double *end);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* DAS_H */
