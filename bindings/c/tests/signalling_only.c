/* The Genesys integrator's flow in C: a signalling-only session (no audio channel) gets its
 * result from audio that Genesys Cloud streams to the consumer with conversationId = call_id.
 * `das audiohook send --conversation-id` stands in for Genesys Cloud, as a child process. */
#include "emulator_session.h"

#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

#define CONVERSATION "3f1c2a9e-6b7d-4e21-8a5f-0c9d4b2e7a61"

/* Genesys Cloud's part: streams samples/speaker-a.wav to the emulator's AudioHook consumer
 * with CONVERSATION as `open`'s conversationId. The child's pid, or -1. */
static pid_t genesys_streams(const emulator_process *emulator) {
    const char *program = getenv("DAS_BIN") != NULL ? getenv("DAS_BIN") : "das";
    char *argv[] = {(char *)program, (char *)"audiohook", (char *)"send", (char *)"--uri",
                    (char *)emulator_string(emulator, "audiohook_url"), (char *)"--api-key",
                    (char *)emulator_string(emulator, "audiohook_api_key"), (char *)"--client-secret",
                    (char *)emulator_string(emulator, "audiohook_client_secret"),
                    (char *)"--conversation-id", (char *)CONVERSATION, (char *)"--wav",
                    (char *)"samples/speaker-a.wav", (char *)"--fast", NULL};
    pid_t pid = -1;
    fflush(NULL);
    if (posix_spawnp(&pid, program, NULL, NULL, argv, environ) != 0) return -1;
    return pid;
}

/* Without an audio URL a configuration is incomplete, unless it is signalling only. */
static void no_audio_url_needed(const emulator_process *emulator) {
    das_config *config = NULL;
    CHECK_RESULT(das_config_set_signalling_only(NULL, true), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    das_config_set_endpoint_url(config, emulator_string(emulator, "socketio_url"), DAS_NUL_TERMINATED);
    das_config_set_authorization(config, "Bearer t", DAS_NUL_TERMINATED);
    das_config_set_session_kind(config, DAS_SESSION_KIND_REGISTER);
    das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, CONVERSATION, DAS_NUL_TERMINATED);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_NOT_READY);
    CHECK(strstr(check_last_error(), "audio URL") != NULL);
    CHECK_RESULT(das_config_set_signalling_only(config, true), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_signalling_only(config, false), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_NOT_READY);
    das_config_free(config);
}

static void register_while_genesys_streams(const emulator_process *emulator) {
    das_config *config = emulator_config(emulator, CONVERSATION, NULL);
    das_session *session = NULL;
    das_event *event = NULL;
    const uint8_t byte = 0xff;
    const char *credential = NULL;
    size_t len = 0;
    bool ready = false, result = false;
    pid_t genesys = -1;
    int status = -1;
    das_result r = DAS_RESULT_OK;

    /* The emulator's consumer for this call speaks AudioHook; this session opens no channel. */
    CHECK_RESULT(das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_AUDIOHOOK), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_signalling_only(config, true), DAS_RESULT_OK);
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_push_audio(session, &byte, 1), DAS_RESULT_NOT_READY);
    while (!result && (r = das_session_poll_event(session, 30000, &event)) == DAS_RESULT_OK) {
        switch (das_event_get_kind(event)) {
        case DAS_EVENT_KIND_CONSUMER_READY:
            ready = true;
            genesys = genesys_streams(emulator);
            CHECK(genesys > 0);
            break;
        case DAS_EVENT_KIND_VAD_STATUS:
            break;
        case DAS_EVENT_KIND_RESULT_SUCCESS:
            result = true;
            CHECK_RESULT(das_event_credential(event, &credential, &len), DAS_RESULT_OK);
            CHECK(len > 0);
            break;
        default:
            CHECK(false); /* no failure, error, audio-ended or disconnect */
            break;
        }
        das_event_free(event);
    }
    CHECK_RESULT(r, DAS_RESULT_OK);
    CHECK(ready && result);
    if (genesys > 0) {
        CHECK(waitpid(genesys, &status, 0) == genesys);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK_RESULT(das_session_close(session), DAS_RESULT_OK);
    das_session_free(session);
}

int main(void) {
    emulator_process emulator;
    if (emulator_process_start(&emulator) != 0) return 1;
    no_audio_url_needed(&emulator);
    register_while_genesys_streams(&emulator);
    CHECK(emulator_process_stop(&emulator) == 0);
    CHECK_DONE("signalling_only");
}
