/* An HTTP proxy from C: tinyproxy (scripts/proxy-bed) with Basic authentication, and the
 * emulator addressed as das-emulator.test, a name only the proxy resolves. A registration over
 * Twilio and a TRD whoami through das_config_set_proxy; wrong credentials (DAS_RESULT_PROXY
 * naming the status, never the password, nor in das_config_to_json); "" (no proxy: the name
 * does not resolve); an unreachable proxy (DAS_RESULT_IO) and a silent one (DAS_RESULT_TIMEOUT). */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emulator_session.h"
#include "proxy_bed.h"
#include "silent_listener.h"

#define CREDENTIALS "agent:s3cret-proxy"
#define WRONG "agent:wrong-password"

/* The emulator's Twilio registration, every URL on the proxy-only name, through `proxy`. */
static das_config *proxied(const emulator_process *emulator, const char *proxy) {
    char url[512];
    das_config *config = emulator_config(emulator, "c-proxy-call", NULL);
    das_config_set_endpoint_url(config, behind_proxy(emulator_string(emulator, "socketio_url"), url, sizeof url),
                                DAS_NUL_TERMINATED);
    das_config_set_token_url(config, behind_proxy(emulator_string(emulator, "token_url"), url, sizeof url),
                             DAS_NUL_TERMINATED);
    das_config_set_audio_url(config, behind_proxy(emulator_string(emulator, "twilio_url"), url, sizeof url),
                             DAS_NUL_TERMINATED);
    CHECK_RESULT(das_config_set_timeout_ms(config, DAS_TIMEOUT_CONNECT, 3000), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_timeout_ms(config, DAS_TIMEOUT_TOKEN, 3000), DAS_RESULT_OK);
    if (proxy != NULL) CHECK_RESULT(das_config_set_proxy(config, proxy, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    return config;
}

/* The start's result; its message in `start_error` (the next call replaces the last error). */
static char start_error[1024];

static das_result starts(const das_config *config) {
    das_session *session = NULL;
    das_result result;
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    result = das_session_start(session);
    snprintf(start_error, sizeof start_error, "%s", check_last_error());
    das_session_free(session);
    return result;
}

static das_result trd_whoami(const emulator_process *emulator, const das_config *config) {
    das_trd_client *client = NULL;
    char url[512], address[128];
    size_t written = 0;
    das_result result;
    CHECK_RESULT(das_trd_client_new(behind_proxy(emulator_string(emulator, "trd_url"), url, sizeof url),
                                    DAS_NUL_TERMINATED, emulator_string(emulator, "trd_token"),
                                    DAS_NUL_TERMINATED, NULL, 0, NULL, 0, NULL, 0, 10000, config, &client),
                 DAS_RESULT_OK);
    result = das_trd_client_whoami(client, address, sizeof address, &written);
    if (result == DAS_RESULT_OK) CHECK(strcmp(address, "127.0.0.1") == 0);
    das_trd_client_free(client);
    return result;
}

int main(void) {
    emulator_process process;
    const emulator_process *emulator = &process;
    das_config *config = NULL;
    char dir[] = "/tmp/das-proxy-XXXXXX", right[128], wrong[128], other[128], json[4096];
    size_t written = 0;
    int proxy_port = free_port(), silent = -1;
    unsigned short silent_port = 0;
    pid_t proxy = -1;
    const char *names[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                           "ALL_PROXY", "no_proxy", "NO_PROXY"};
    size_t i;

    /* The machine's proxy variables must not decide the outcome. */
    for (i = 0; i < sizeof names / sizeof names[0]; i++) unsetenv(names[i]);
    if (emulator_process_start(&process) != 0) return 1;
    CHECK(mkdtemp(dir) != NULL);
    proxy = proxy_start(dir, proxy_port, CREDENTIALS);
    snprintf(right, sizeof right, "http://" CREDENTIALS "@127.0.0.1:%d", proxy_port);
    snprintf(wrong, sizeof wrong, "http://" WRONG "@127.0.0.1:%d", proxy_port);

    config = proxied(emulator, right);
    CHECK(emulator_registers(config));
    CHECK(trd_whoami(emulator, config) == DAS_RESULT_OK);
    /* The credentials stay out of the description. */
    CHECK_RESULT(das_config_to_json(config, json, sizeof json, &written), DAS_RESULT_OK);
    CHECK(strstr(json, "s3cret-proxy") == NULL && strstr(json, "agent") == NULL);
    CHECK(strstr(json, "http://***@127.0.0.1:") != NULL);
    das_config_free(config);

    /* The token comes directly (NO_PROXY): the signalling's CONNECT meets the refusal (an
     * http:// token request would get the proxy's 401 in place of the server's answer). */
    config = proxied(emulator, wrong);
    das_config_set_token_url(config, emulator_string(emulator, "token_url"), DAS_NUL_TERMINATED);
    CHECK(setenv("NO_PROXY", "127.0.0.1", 1) == 0);
    CHECK_RESULT(starts(config), DAS_RESULT_PROXY);
    CHECK(strstr(start_error, "HTTP 401") != NULL);
    CHECK(strstr(start_error, "wrong-password") == NULL);
    unsetenv("NO_PROXY");
    das_config_free(config);

    /* No proxy: das-emulator.test does not resolve here. */
    config = proxied(emulator, "");
    CHECK_RESULT(starts(config), DAS_RESULT_IO);
    CHECK(trd_whoami(emulator, config) == DAS_RESULT_CONNECT_REFUSED);
    das_config_free(config);

    snprintf(other, sizeof other, "http://127.0.0.1:%d", free_port());
    config = proxied(emulator, other);
    CHECK_RESULT(starts(config), DAS_RESULT_IO);
    das_config_free(config);

    silent = silent_listener(&silent_port);
    snprintf(other, sizeof other, "http://127.0.0.1:%d", silent_port);
    config = proxied(emulator, other);
    /* The token comes directly: the signalling meets the silent proxy. */
    das_config_set_token_url(config, emulator_string(emulator, "token_url"), DAS_NUL_TERMINATED);
    CHECK(setenv("NO_PROXY", "127.0.0.1", 1) == 0);
    CHECK_RESULT(starts(config), DAS_RESULT_TIMEOUT);
    CHECK(strstr(start_error, "did not answer the CONNECT") != NULL);
    unsetenv("NO_PROXY");
    das_config_free(config);
    close(silent);

    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_proxy(config, "socks4://" CREDENTIALS "@proxy:1080", DAS_NUL_TERMINATED),
                 DAS_RESULT_PARSE);
    CHECK(strstr(check_last_error(), "s3cret") == NULL);
    /* SOCKS5 (the name resolved by the proxy) is taken, its credentials hidden as HTTP's are. */
    CHECK_RESULT(das_config_set_proxy(config, "socks5h://" CREDENTIALS "@proxy:1080", DAS_NUL_TERMINATED),
                 DAS_RESULT_OK);
    CHECK_RESULT(das_config_to_json(config, json, sizeof json, &written), DAS_RESULT_OK);
    CHECK(strstr(json, "socks5h://***@proxy:1080") != NULL && strstr(json, "s3cret") == NULL);
    das_config_free(config);

    kill(proxy, SIGKILL);
    waitpid(proxy, NULL, 0);
    CHECK(emulator_process_stop(&process) == 0);
    CHECK_DONE("proxy");
}
