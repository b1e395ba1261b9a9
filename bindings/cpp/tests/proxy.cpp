// Config::proxy from C++: tinyproxy with Basic authentication (scripts/proxy-bed, through
// proxy_bed.h), the emulator addressed as das-emulator.test, a name only the proxy resolves.
// A registration and a TrdClient (given the Config) through it, the credentials redacted in
// to_json(); wrong credentials (DAS_RESULT_PROXY, the password in no message); "" (no proxy:
// the name does not resolve); a URL that is not http:// (DAS_RESULT_PARSE).
#include "emulator_session.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "check.h"
#include "das.hpp"
#include "proxy_bed.h"

#define CREDENTIALS "agent:s3cret-proxy"
#define WRONG "agent:wrong-password"

// scripts/proxy-bed on a free port, killed and reaped (its files removed) by the destructor.
class ProxyBed {
public:
    ProxyBed() : port_(free_port()) {
        char dir[] = "/tmp/das-cpp-proxy-XXXXXX";
        CHECK(mkdtemp(dir) != nullptr);
        dir_ = dir;
        pid_ = proxy_start(dir, port_, CREDENTIALS);
    }
    ~ProxyBed() {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    ProxyBed(const ProxyBed &) = delete;
    ProxyBed &operator=(const ProxyBed &) = delete;

    // The proxy's URL with these credentials.
    std::string url(const char *credentials) const {
        return std::string("http://") + credentials + "@127.0.0.1:" + std::to_string(port_);
    }

private:
    int port_;
    std::string dir_;
    pid_t pid_ = -1;
};

// An emulator URL on the proxy-only name.
static std::string behind(const std::string &url) {
    char out[512];
    return behind_proxy(url.c_str(), out, sizeof out);
}

// The emulator's Twilio registration, every URL on the proxy-only name, through `proxy`.
static das::Config proxied(const EmulatorProcess &emulator, std::string_view proxy) {
    das::Config config = emulator_config(emulator, "cpp-proxy-call");
    config.endpoint_url(behind(emulator.get("socketio_url")))
        .token_url(behind(emulator.get("token_url")))
        .audio_url(behind(emulator.get("twilio_url")))
        .timeout_ms(DAS_TIMEOUT_CONNECT, 3000)
        .timeout_ms(DAS_TIMEOUT_TOKEN, 3000)
        .proxy(proxy);
    return config;
}

// What starting a session of `config` throws (DAS_RESULT_OK if nothing); its message in `what`.
static das_result start_throws(const das::Config &config, std::string &what) {
    try {
        das::Session session(config);
        session.start();
    } catch (const das::Error &error) {
        what = error.what();
        return error.code();
    }
    return DAS_RESULT_OK;
}

// TRD's whoami through `config`'s proxy.
static std::string trd_whoami(const EmulatorProcess &emulator, const das::Config &config) {
    std::string url = behind(emulator.get("trd_url")), token = emulator.get("trd_token");
    das::TrdClientOptions options;
    options.base_url = url;
    options.bearer = token;
    options.tls = &config;
    return das::TrdClient(options).whoami();
}

int main() {
    // The machine's proxy variables must not decide the outcome.
    for (const char *name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                             "no_proxy", "NO_PROXY"}) {
        unsetenv(name);
    }
    try {
        EmulatorProcess emulator;
        ProxyBed proxy;
        std::string what;
        {
            das::Config config = proxied(emulator, proxy.url(CREDENTIALS));
            das::Session session(config);
            session.start();
            CHECK(events_to_the_outcome(session, "samples/speaker-a.wav").back().kind() ==
                  DAS_EVENT_KIND_RESULT_SUCCESS);
            CHECK(trd_whoami(emulator, config) == "127.0.0.1");
            std::string json = config.to_json();
            CHECK(json.find("s3cret-proxy") == std::string::npos && json.find("agent") == std::string::npos);
            CHECK(json.find("http://***@127.0.0.1:") != std::string::npos);
        }
        {
            // The token comes directly (NO_PROXY): the signalling's CONNECT meets the refusal.
            das::Config config = proxied(emulator, proxy.url(WRONG));
            config.token_url(emulator.get("token_url"));
            setenv("NO_PROXY", "127.0.0.1", 1);
            CHECK(start_throws(config, what) == DAS_RESULT_PROXY);
            CHECK(what.find("HTTP 401") != std::string::npos && what.find("wrong-password") == std::string::npos);
            unsetenv("NO_PROXY");
        }
        {
            // "" is no proxy: das-emulator.test does not resolve here.
            das::Config config = proxied(emulator, "");
            CHECK(start_throws(config, what) == DAS_RESULT_IO);
            CHECK(thrown_by([&] { trd_whoami(emulator, config); }) == DAS_RESULT_CONNECT_REFUSED);
        }
        das::Config config;
        try {
            config.proxy("socks4://" CREDENTIALS "@proxy:1080");
            CHECK(false);
        } catch (const das::Error &error) {
            CHECK(error.code() == DAS_RESULT_PARSE && std::string(error.what()).find("s3cret") == std::string::npos);
        }
    } catch (const std::exception &error) {
        std::fprintf(stderr, "unexpected exception: %s\n", error.what());
        CHECK(false);
    }
    CHECK_DONE("cpp proxy");
}
