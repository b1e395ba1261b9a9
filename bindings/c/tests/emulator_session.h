/* Shared set-up for the tests that run sessions against the emulator process. */
#ifndef DAS_TEST_EMULATOR_SESSION_H
#define DAS_TEST_EMULATOR_SESSION_H

#include "emulator_process.h"

#include <stdbool.h>
#include <stdint.h>

#include "check.h"

/* Lends one field of the emulator's description (URLs, demo credentials); "" when absent. */
static inline const char *emulator_string(const emulator_process *emulator, const char *field) {
    const char *text = emulator_process_get(emulator, field);
    CHECK(text != NULL);
    return text != NULL ? text : "";
}

/* A register (or, with a credential, verify) configuration for the emulator's Twilio consumer,
 * sending audio as fast as the consumer takes it. The caller frees it. */
static inline das_config *emulator_config(const emulator_process *emulator, const char *call_id, const char *credential) {
    das_config *config = NULL;
    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    das_config_set_endpoint_url(config, emulator_string(emulator, "socketio_url"), DAS_NUL_TERMINATED);
    das_config_set_token_url(config, emulator_string(emulator, "token_url"), DAS_NUL_TERMINATED);
    das_config_set_client_credentials(config, emulator_string(emulator, "client_id"), DAS_NUL_TERMINATED,
                                      emulator_string(emulator, "client_secret"), DAS_NUL_TERMINATED);
    das_config_set_session_kind(config, credential != NULL ? DAS_SESSION_KIND_VERIFY : DAS_SESSION_KIND_REGISTER);
    if (credential != NULL) {
        CHECK_RESULT(das_config_set_credential(config, credential, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    }
    das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, call_id, DAS_NUL_TERMINATED);
    das_config_set_authenticity_threshold(config, 0.5);
    das_config_set_audio_total_duration(config, 3.0);
    das_config_set_model_hash(config, "emulated-model", DAS_NUL_TERMINATED);
    das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_TWILIO);
    das_config_set_audio_url(config, emulator_string(emulator, "twilio_url"), DAS_NUL_TERMINATED);
    das_config_set_audio_pacing(config, DAS_AUDIO_PACING_AS_FAST_AS_POSSIBLE);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_OK);
    return config;
}

/* Runs a registration of samples/speaker-a.wav (run from the workspace root): 1 when it ends
 * with result-success. */
static inline int emulator_registers(const das_config *config) {
    das_session *session = NULL;
    das_event *event = NULL;
    int success = 0;
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_push_wav(session, "samples/speaker-a.wav", DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_OK);
    while (!success && das_session_poll_event(session, 30000, &event) == DAS_RESULT_OK) {
        das_event_kind kind = das_event_get_kind(event);
        if (kind == DAS_EVENT_KIND_RESULT_SUCCESS) success = 1;
        das_event_free(event);
        if (kind == DAS_EVENT_KIND_RESULT_FAILURE || kind == DAS_EVENT_KIND_DISCONNECTED) break;
    }
    CHECK_RESULT(das_session_close(session), DAS_RESULT_OK);
    das_session_free(session);
    return success;
}

#endif
