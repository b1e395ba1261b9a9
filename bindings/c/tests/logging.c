/* The log callback receives libdas events at or above the level, with the caller's userdata, and
 * stops receiving them once removed. */
#include "check.h"

struct seen {
    int events;
    int debug_events;
    char last_message[512];
};

static void on_log(void *userdata, das_log_level level, const char *target, const char *message) {
    struct seen *seen = (struct seen *)userdata;
    (void)target;
    seen->events++;
    if (level == DAS_LOG_LEVEL_DEBUG) {
        seen->debug_events++;
    }
    snprintf(seen->last_message, sizeof seen->last_message, "%s", message);
}

int main(void) {
    struct seen seen;
    das_config *config = NULL;

    memset(&seen, 0, sizeof seen);
    CHECK_RESULT(das_config_new(&config), DAS_RESULT_OK);
    CHECK_RESULT(das_set_log_callback(on_log, &seen), DAS_RESULT_OK);

    /* Failed calls are logged at debug level, which is below the default threshold (warn). */
    CHECK_RESULT(das_config_set_audio_channels(config, 9), DAS_RESULT_OUT_OF_RANGE);
    CHECK(seen.events == 0);

    CHECK_RESULT(das_set_log_level(DAS_LOG_LEVEL_DEBUG), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_channels(config, 9), DAS_RESULT_OUT_OF_RANGE);
    CHECK(seen.debug_events == 1);
    CHECK(strstr(seen.last_message, "9 is not 1 or 2") != NULL);
    CHECK(strstr(seen.last_message, "DAS_RESULT_OUT_OF_RANGE") != NULL);

    /* Secrets stay out of the log even when the call that carries them fails. */
    CHECK_RESULT(das_config_set_client_credentials(config, "", 0, "hunter2-secret", DAS_NUL_TERMINATED), DAS_RESULT_OUT_OF_RANGE);
    CHECK(strstr(seen.last_message, "hunter2") == NULL);

    CHECK_RESULT(das_set_log_callback(NULL, NULL), DAS_RESULT_OK);
    CHECK_RESULT(das_config_set_audio_channels(config, 9), DAS_RESULT_OUT_OF_RANGE);
    CHECK(seen.debug_events == 2);
    CHECK_RESULT(das_set_log_level(DAS_LOG_LEVEL_WARN), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_DONE("logging");
}
