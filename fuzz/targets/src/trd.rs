//! TRD webhook bodies: parse, write back, parse again; every accessor on the way.

use das::trd::{parse_webhook, JobResult};

/// Parses `data` as a webhook body. A parsed document must survive `to_json`, `to_json_pretty`
/// and `to_value` unchanged, its compact form must be stable, and its `Debug` must not show the
/// token.
pub fn trd_webhook(data: &[u8]) {
    let document = match parse_webhook(data) {
        Ok(document) => document,
        Err(error) => {
            assert!(!error.message.is_empty(), "error without a message");
            let _ = error.to_string();
            return;
        }
    };
    let compact = document.to_json();
    let again = parse_webhook(compact.as_bytes())
        .unwrap_or_else(|e| panic!("to_json output does not parse: {e}\n{compact}"));
    assert_eq!(again, document, "to_json round trip changed the document");
    assert_eq!(again.to_json(), compact, "to_json is not stable");
    let pretty = document.to_json_pretty();
    assert_eq!(
        parse_webhook(pretty.as_bytes()).ok().as_ref(),
        Some(&document),
        "to_json_pretty round trip changed the document"
    );
    let from_value = JobResult::try_from(document.to_value());
    assert_eq!(
        from_value.ok().as_ref(),
        Some(&document),
        "to_value round trip changed the document"
    );
    if let Some(token) = &document.token {
        let debug = format!("{document:?}");
        assert!(debug.contains("<redacted>"), "Debug shows the token");
        assert!(
            token.len() < 8 || !debug.contains(token.as_str()),
            "Debug shows the token"
        );
    }
    read_everything(&document);
}

/// Calls every derived view so a hostile document cannot make one of them panic.
fn read_everything(document: &JobResult) {
    let job = &document.job;
    let _ = (
        job.queue_duration(),
        job.diarization_duration(),
        job.turnaround(),
    );
    let _ = (job.failure(), job.callback_failure(), job.status.as_str());
    for stamp in [&job.created_at, &job.started_at, &job.completed_at]
        .into_iter()
        .flatten()
    {
        let _ = (stamp.unix_nanos(), stamp.raw());
    }
    if let Some(config) = job.config() {
        let _ = (
            config.priority(),
            config.sample_rate_hertz(),
            config.word_details(),
        );
        let _ = (config.hint_words(), config.tasks(), config.language_model());
        let _ = (config.clustering_threshold(), config.speakers_per_channel());
        let _ = (config.chunk_max_silence(), config.chunk_max_length());
        let _ = (config.dtmf_enabled(), config.descriptor_enabled());
        let _ = (config.textify_enabled(), config.max_sentences());
        let _ = (config.diarization_version(), config.clustering_enabled());
    }
    for segment in document.segments() {
        let _ = (segment.best(), segment.text(), segment.duration());
        let _ = (segment.speaker_id(), segment.timed_words().count());
        let tasks = segment.tasks();
        let _ = (tasks.age(), tasks.gender(), tasks.emotion());
        for alternative in segment.alternatives() {
            let _ = (alternative.score(), alternative.words().len());
        }
    }
    let texts = document.transcripts_by_channel();
    assert_eq!(
        texts.values().filter(|t| !t.is_empty()).count() > 0,
        !document.transcript().is_empty(),
        "per-channel transcripts disagree with the whole transcript"
    );
    let _ = (document.transcripts_by_speaker(), document.speakers());
    let _ = (
        document.speaking_time_by_speaker(),
        document.audio_duration(),
    );
    let _ = (
        document.dtmf_digits(),
        document.segments_in_time_order().len(),
    );
    assert_eq!(
        document.segments_in_time_order().len(),
        document.segments().len(),
        "time ordering lost or added segments"
    );
}
