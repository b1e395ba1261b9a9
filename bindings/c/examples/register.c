/* register.c: the documented das-Peak Streaming workflow from C.
 *
 *   token -> session (initialize) -> push a WAV -> print every event -> close
 *
 * It runs offline against the emulator, started as a child process (`das emulator`, found as
 * $DAS_BIN or on PATH) by the test helper bindings/c/tests/emulator_process.h:
 *   ./register [file.wav]
 * Against the real service, replace the emulator's fields with your endpoint, token URL,
 * client credentials and audio consumer URL (and drop emulator_process_*). */
#include "emulator_process.h"

#include <stdio.h>
#include <string.h>

#include "das.h"

static int fail(const char *what, das_result r) {
    char msg[1024];
    size_t n;
    if (das_last_error_message(msg, sizeof msg, &n) != DAS_RESULT_OK) msg[0] = '\0';
    fprintf(stderr, "%s failed: %s: %s\n", what, das_result_name(r), msg);
    return 1;
}

/* Prints one event: its name, then its JSON, except for the credential, which is a secret. */
static void print_event(const das_event *event) {
    const char *name = "", *json = "", *text = "";
    size_t name_len = 0, json_len = 0, len = 0;
    double value = 0;
    das_event_name(event, &name, &name_len);
    das_event_json(event, &json, &json_len);
    switch (das_event_get_kind(event)) {
    case DAS_EVENT_KIND_RESULT_SUCCESS:
        printf("%s:", name);
        if (das_event_authenticity(event, &value) == DAS_RESULT_OK) printf(" authenticity=%.2f", value);
        if (das_event_voice_audio_collected(event, &value) == DAS_RESULT_OK) printf(" voice=%.2fs", value);
        if (das_event_content(event, &text, &len) == DAS_RESULT_OK) printf(" content=\"%s\"", text);
        if (das_event_credential(event, &text, &len) == DAS_RESULT_OK) printf(" credential=<%zu bytes>", len);
        printf("\n");
        break;
    default:
        printf("%s: %s\n", name, json);
        break;
    }
}

int main(int argc, char **argv) {
    const char *wav = argc > 1 ? argv[1] : "samples/speaker-a.wav";
    emulator_process emulator;
    das_config *config = NULL;
    das_session *session = NULL;
    das_event *event = NULL;
    const char *call_id = "";
    size_t len = 0;
    das_result r;
    int status = 0;

    if (das_abi_version() != DAS_ABI_VERSION) {
        fprintf(stderr, "libdas ABI %u, header %u\n", das_abi_version(), DAS_ABI_VERSION);
        return 1;
    }
    if (emulator_process_start(&emulator) != 0) return 1;

    /* 1. Configuration: where to connect, how to authenticate, what to send in `initialize`. */
    das_config_new(&config);
    das_config_set_endpoint_url(config, emulator_process_get(&emulator, "socketio_url"), DAS_NUL_TERMINATED);
    das_config_set_token_url(config, emulator_process_get(&emulator, "token_url"), DAS_NUL_TERMINATED);
    das_config_set_client_credentials(config, emulator_process_get(&emulator, "client_id"), DAS_NUL_TERMINATED,
                                      emulator_process_get(&emulator, "client_secret"), DAS_NUL_TERMINATED);
    das_config_set_session_kind(config, DAS_SESSION_KIND_REGISTER);
    das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, "888806c3-3391-4d73-bb86-e5874e6ed5b4",
                            DAS_NUL_TERMINATED);
    das_config_set_authenticity_threshold(config, 0.8);
    das_config_set_audio_total_duration(config, 3.0);
    das_config_set_model_hash(config, "<MODEL_HASH>", DAS_NUL_TERMINATED);
    das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_TWILIO);
    das_config_set_audio_url(config, emulator_process_get(&emulator, "twilio_url"), DAS_NUL_TERMINATED);
    if ((r = das_config_validate(config)) != DAS_RESULT_OK) {
        das_config_free(config);
        emulator_process_stop(&emulator);
        return fail("configuration", r);
    }

    /* 2. Session: token, Socket.IO connect, `initialize`. The config can go right away. */
    r = das_session_new(config, &session);
    das_config_free(config);
    if (r != DAS_RESULT_OK) {
        emulator_process_stop(&emulator);
        return fail("session", r);
    }
    if ((r = das_session_start(session)) != DAS_RESULT_OK) {
        status = fail("start", r);
        goto done;
    }
    das_session_call_id(session, &call_id, &len);
    printf("session started, call_id %s\n", call_id);

    /* 3. Audio: queued now, streamed once the consumer is ready. */
    if ((r = das_session_push_wav(session, wav, DAS_NUL_TERMINATED)) != DAS_RESULT_OK) {
        status = fail("push_wav", r);
        goto done;
    }
    das_session_end_audio(session);

    /* 4. Events, in order, until the result (then close) and the end of the session. */
    while ((r = das_session_poll_event(session, 30000, &event)) == DAS_RESULT_OK) {
        das_event_kind kind = das_event_get_kind(event);
        bool final = das_event_is_final(event); /* the result, an error, a failed channel */
        print_event(event);
        das_event_free(event);
        if (final) {
            das_session_close(session);
            status = kind == DAS_EVENT_KIND_RESULT_SUCCESS ? 0 : 1;
        }
    }
    if (r != DAS_RESULT_CLOSED) status = fail("poll", r);

done:
    das_session_free(session);
    emulator_process_stop(&emulator);
    return status;
}
