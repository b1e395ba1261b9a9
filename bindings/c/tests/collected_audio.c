/* An emulator that sends the collected audio as a second, binary argument of result-success
 * (DAS_EMULATOR_SEND_COLLECTED_AUDIO): the event lends it, lists both arguments, and carries
 * a typed verdict; a verification's score_threshold set through the config decides it. Then one
 * that nests it in the payload in binary (DAS_EMULATOR_COLLECTED_AUDIO_IN_PAYLOAD, as
 * python-socketio sends bytes in a dict): the placeholder's attachment is lent too. */
#include "emulator_session.h"

#include <stdlib.h>

#define SPEAKER_A "samples/speaker-a.wav"
#define SPEAKER_A_VERIFY "samples/speaker-a-verify.wav"

/* Streams `wav` and returns the result event (the caller frees it), or NULL. */
static das_event *result_of(das_config *config, const char *wav) {
    das_session *session = NULL;
    das_event *event = NULL;
    das_event *result = NULL;
    CHECK_RESULT(das_session_new(config, &session), DAS_RESULT_OK);
    das_config_free(config);
    CHECK_RESULT(das_session_start(session), DAS_RESULT_OK);
    CHECK_RESULT(das_session_push_wav(session, wav, DAS_NUL_TERMINATED), DAS_RESULT_OK);
    CHECK_RESULT(das_session_end_audio(session), DAS_RESULT_OK);
    while (result == NULL && das_session_poll_event(session, 30000, &event) == DAS_RESULT_OK) {
        das_event_kind kind = das_event_get_kind(event);
        if (kind == DAS_EVENT_KIND_RESULT_SUCCESS || kind == DAS_EVENT_KIND_RESULT_FAILURE) result = event;
        else das_event_free(event);
    }
    das_session_free(session);
    return result;
}

static void registration_lends_the_collected_audio(const emulator_process *emulator, char *credential, size_t size) {
    const uint8_t *audio = NULL, *bytes = NULL;
    const char *text = NULL;
    size_t audio_len = 0, bytes_len = 0, len = 0, count = 0;
    das_verdict verdict = DAS_VERDICT_UNKNOWN;
    das_event *result = result_of(emulator_config(emulator, "c-collected-1", NULL), SPEAKER_A);
    CHECK(result != NULL && das_event_get_kind(result) == DAS_EVENT_KIND_RESULT_SUCCESS);
    if (result == NULL) return;
    CHECK_RESULT(das_event_collected_audio(result, &audio, &audio_len), DAS_RESULT_OK);
    CHECK(audio != NULL && audio_len >= 3 * 8000); /* µ-law, 8 kHz, at least the 3 s asked */
    CHECK_RESULT(das_event_argument_count(result, &count), DAS_RESULT_OK);
    CHECK(count == 2);
    CHECK_RESULT(das_event_argument_json(result, 0, &text, &len), DAS_RESULT_OK);
    CHECK(len > 0 && text[0] == '"' && strstr(text, "result-success") != NULL);
    CHECK_RESULT(das_event_argument_bytes(result, 1, &bytes, &bytes_len), DAS_RESULT_OK);
    CHECK(bytes == audio && bytes_len == audio_len);
    CHECK_RESULT(das_event_argument_bytes(result, 0, &bytes, &bytes_len), DAS_RESULT_NOT_PRESENT);
    CHECK_RESULT(das_event_argument_json(result, 1, &text, &len), DAS_RESULT_NOT_PRESENT);
    CHECK_RESULT(das_event_argument_json(result, 2, &text, &len), DAS_RESULT_OUT_OF_RANGE);
    /* The payload stays the first argument, decoded. */
    CHECK_RESULT(das_event_json(result, &text, &len), DAS_RESULT_OK);
    CHECK(text[0] == '{');
    CHECK_RESULT(das_event_verdict(result, &verdict), DAS_RESULT_OK);
    CHECK(verdict == DAS_VERDICT_ACCEPTED);
    CHECK_RESULT(das_event_credential(result, &text, &len), DAS_RESULT_OK);
    if (len < size) memcpy(credential, text, len + 1);
    das_event_free(result);
}

/* A threshold of 1 rejects any imperfect match: the verdict follows the request. */
static void verification_verdict_follows_the_score_threshold(const emulator_process *emulator, const char *credential) {
    das_config *config = emulator_config(emulator, "c-collected-2", credential);
    das_verdict verdict = DAS_VERDICT_UNKNOWN;
    double score = 0, threshold = 0;
    das_event *result = NULL;
    CHECK_RESULT(das_config_set_score_threshold(config, 1.5), DAS_RESULT_OUT_OF_RANGE);
    CHECK_RESULT(das_config_set_score_threshold(config, 1.0), DAS_RESULT_OK);
    result = result_of(config, SPEAKER_A_VERIFY);
    CHECK(result != NULL && das_event_get_kind(result) == DAS_EVENT_KIND_RESULT_SUCCESS);
    if (result == NULL) return;
    CHECK_RESULT(das_event_score(result, &score), DAS_RESULT_OK);
    CHECK_RESULT(das_event_threshold(result, &threshold), DAS_RESULT_OK);
    CHECK(threshold == 1.0 && score < 1.0);
    CHECK_RESULT(das_event_verdict(result, &verdict), DAS_RESULT_OK);
    CHECK(verdict == DAS_VERDICT_REJECTED);
    das_event_free(result);
}

static void audio_nested_in_the_payload_is_lent_as_its_attachment(const emulator_process *emulator) {
    const uint8_t *audio = NULL, *attachment = NULL;
    const char *json = NULL;
    size_t audio_len = 0, attachment_len = 0, len = 0, count = 0;
    das_event *result = result_of(emulator_config(emulator, "c-collected-3", NULL), SPEAKER_A);
    CHECK(result != NULL && das_event_get_kind(result) == DAS_EVENT_KIND_RESULT_SUCCESS);
    if (result == NULL) return;
    CHECK_RESULT(das_event_collected_audio(result, &audio, &audio_len), DAS_RESULT_OK);
    CHECK(audio != NULL && audio_len >= 3 * 8000);
    CHECK_RESULT(das_event_argument_count(result, &count), DAS_RESULT_OK);
    CHECK(count == 1);
    /* The payload keeps the placeholder; attachment 0 is what it stands for. */
    CHECK_RESULT(das_event_json(result, &json, &len), DAS_RESULT_OK);
    CHECK(strstr(json, "\"collected_audio\":{\"_placeholder\":true,\"num\":0}") != NULL);
    CHECK_RESULT(das_event_attachment(result, 0, &attachment, &attachment_len), DAS_RESULT_OK);
    CHECK(attachment == audio && attachment_len == audio_len);
    CHECK_RESULT(das_event_attachment(result, 1, &attachment, &attachment_len), DAS_RESULT_NOT_PRESENT);
    CHECK_RESULT(das_event_attachment(result, 0, NULL, &attachment_len), DAS_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(das_event_argument_bytes(result, 0, &attachment, &attachment_len), DAS_RESULT_NOT_PRESENT);
    das_event_free(result);
}

/* Only a placeholder nested in the event has an attachment to lend. */
static void an_event_without_nested_binary_has_no_attachment(const emulator_process *emulator) {
    const uint8_t *attachment = NULL;
    size_t attachment_len = 0;
    das_event *result = result_of(emulator_config(emulator, "c-collected-4", NULL), SPEAKER_A);
    CHECK(result != NULL);
    if (result == NULL) return;
    CHECK_RESULT(das_event_attachment(result, 0, &attachment, &attachment_len), DAS_RESULT_NOT_PRESENT);
    das_event_free(result);
}

int main(void) {
    emulator_process emulator;
    char credential[4096] = "";
    setenv("DAS_EMULATOR_SEND_COLLECTED_AUDIO", "true", 1);
    if (emulator_process_start(&emulator) != 0) return 1;
    registration_lends_the_collected_audio(&emulator, credential, sizeof credential);
    verification_verdict_follows_the_score_threshold(&emulator, credential);
    an_event_without_nested_binary_has_no_attachment(&emulator);
    CHECK(emulator_process_stop(&emulator) == 0);

    setenv("DAS_EMULATOR_COLLECTED_AUDIO_IN_PAYLOAD", "true", 1);
    if (emulator_process_start(&emulator) != 0) return 1;
    audio_nested_in_the_payload_is_lent_as_its_attachment(&emulator);
    CHECK(emulator_process_stop(&emulator) == 0);
    CHECK_DONE("collected_audio");
}
