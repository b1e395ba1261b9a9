/* Trusted roots from C: the emulator process's TLS front, whose private CA is trusted through
 * das_config_add_trusted_root_pem, through SSL_CERT_FILE with DAS_TRUSTED_ROOTS_SYSTEM, or not
 * at all (DAS_RESULT_TLS, the message naming the CA). A session covers the token endpoint,
 * Socket.IO and the AudioHook channel; das_trd_whoami covers TRD. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <unistd.h>

#include "emulator_session.h"

#define CA_NAME "das emulator private CA"

/* A registration over the TLS front with AudioHook audio; `pem` is an extra root or NULL. */
static das_config *tls_config(const emulator_process *emulator, uint32_t roots, const char *pem) {
    /* AudioHook takes the call_id as its conversation id: one UUID per session. */
    static int sessions = 0;
    char call_id[] = "2f6d0c8e-7a41-4d3b-9c55-00000000000?";
    das_config *config = NULL;
    call_id[sizeof call_id - 2] = (char)('0' + sessions++ % 10);
    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    das_config_set_session_kind(config, DAS_SESSION_KIND_REGISTER);
    das_config_set_metadata(config, DAS_METADATA_FIELD_CALL_ID, call_id, DAS_NUL_TERMINATED);
    das_config_set_authenticity_threshold(config, 0.5);
    das_config_set_audio_total_duration(config, 3.0);
    das_config_set_model_hash(config, "emulated-model", DAS_NUL_TERMINATED);
    das_config_set_endpoint_url(config, emulator_string(emulator, "tls_socketio_url"), DAS_NUL_TERMINATED);
    das_config_set_token_url(config, emulator_string(emulator, "tls_token_url"), DAS_NUL_TERMINATED);
    das_config_set_client_credentials(config, emulator_string(emulator, "client_id"), DAS_NUL_TERMINATED,
                                      emulator_string(emulator, "client_secret"), DAS_NUL_TERMINATED);
    das_config_set_audio_protocol(config, DAS_AUDIO_PROTOCOL_AUDIOHOOK);
    das_config_set_audio_url(config, emulator_string(emulator, "tls_audiohook_url"), DAS_NUL_TERMINATED);
    CHECK_RESULT(das_config_set_audiohook_credentials(
                     config, emulator_string(emulator, "audiohook_api_key"), DAS_NUL_TERMINATED,
                     emulator_string(emulator, "audiohook_client_secret"), DAS_NUL_TERMINATED),
                 DAS_RESULT_OK);
    das_config_set_audio_pacing(config, DAS_AUDIO_PACING_AS_FAST_AS_POSSIBLE);
    CHECK_RESULT(das_config_set_trusted_roots(config, roots), DAS_RESULT_OK);
    if (pem != NULL) CHECK_RESULT(das_config_add_trusted_root_pem(config, pem, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_config_validate(config), DAS_RESULT_OK);
    return config;
}

/* das_trd_client_whoami against the TLS front with a client trusting `config`'s roots (NULL:
 * the default ones). */
static das_result trd_whoami_answers(const emulator_process *emulator, const das_config *config) {
    das_trd_client *client = NULL;
    char address[128];
    size_t written = 0;
    das_result result;
    CHECK_RESULT(das_trd_client_new(emulator_string(emulator, "tls_trd_url"), DAS_NUL_TERMINATED,
                                    emulator_string(emulator, "trd_token"), DAS_NUL_TERMINATED,
                                    NULL, 0, NULL, 0, NULL, 0, 10000, config, &client),
                 DAS_RESULT_OK);
    result = das_trd_client_whoami(client, address, sizeof address, &written);
    if (result == DAS_RESULT_OK) CHECK(written > 0);
    /* A refusal names the unknown issuer (read before the next call replaces the error). */
    if (result == DAS_RESULT_TLS) CHECK(strstr(check_last_error(), CA_NAME) != NULL);
    das_trd_client_free(client);
    return result;
}

/* The session start is refused with DAS_RESULT_TLS and a message naming the CA. */
static void refused(const das_config *config) {
    das_session *session = NULL;
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_TLS);
    CHECK(strstr(check_last_error(), CA_NAME) != NULL);
    CHECK(strstr(check_last_error(), "roots consulted") != NULL);
    das_session_free(session);
}

int main(void) {
    emulator_process process;
    const emulator_process *emulator = &process;
    das_config *config = NULL;
    char ca_file[] = "/tmp/das-trusted-roots-XXXXXX";
    char buf[256];
    size_t written = 0;
    int fd = -1;
    const char *pem = NULL;

    /* The machine's variables must not decide the outcome. */
    unsetenv("SSL_CERT_FILE");
    unsetenv("SSL_CERT_DIR");
    if (emulator_process_start(&process) != 0) return 1;
    pem = emulator_string(emulator, "tls_ca_pem");
    CHECK(strncmp(emulator_string(emulator, "tls_trd_url"), "https://localhost:", 18) == 0);

    config = tls_config(emulator, DAS_TRUSTED_ROOTS_BOTH, NULL);
    refused(config);
    das_config_free(config);
    CHECK_RESULT(das_trd_whoami(emulator_string(emulator, "tls_trd_url"), DAS_NUL_TERMINATED,
                                emulator_string(emulator, "trd_token"), DAS_NUL_TERMINATED, 10000,
                                buf, sizeof buf, &written),
                 DAS_RESULT_TLS);
    CHECK(strstr(check_last_error(), CA_NAME) != NULL);

    config = tls_config(emulator, DAS_TRUSTED_ROOTS_BOTH, pem);
    CHECK(emulator_registers(config));
    das_config_free(config);

    /* A TRD client takes a configuration's trusted roots. */
    config = tls_config(emulator, DAS_TRUSTED_ROOTS_BOTH, pem);
    CHECK(trd_whoami_answers(emulator, config) == DAS_RESULT_OK);
    das_config_free(config);
    config = tls_config(emulator, DAS_TRUSTED_ROOTS_BOTH, NULL);
    CHECK(trd_whoami_answers(emulator, config) == DAS_RESULT_TLS);
    das_config_free(config);
    CHECK(trd_whoami_answers(emulator, NULL) == DAS_RESULT_TLS);

    /* SSL_CERT_FILE is read when a configuration other than the default one is built. */
    fd = mkstemp(ca_file);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, pem, strlen(pem)) == (ssize_t)strlen(pem));
        close(fd);
        setenv("SSL_CERT_FILE", ca_file, 1);
        config = tls_config(emulator, DAS_TRUSTED_ROOTS_SYSTEM, NULL);
        CHECK(emulator_registers(config));
        das_config_free(config);
        config = tls_config(emulator, DAS_TRUSTED_ROOTS_BUNDLED, NULL);
        refused(config);
        das_config_free(config);
        unlink(ca_file);
    }

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_trusted_roots(config, 0), DAS_RESULT_INVALID_ENUM);
    CHECK_RESULT(das_config_set_trusted_roots(config, 4), DAS_RESULT_INVALID_ENUM);
    das_config_free(config);
    CHECK(emulator_process_stop(&process) == 0);
    CHECK_DONE("trusted_roots");
}
