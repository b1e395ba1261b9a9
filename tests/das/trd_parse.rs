//! The TRD result parser over every fixture: typed values, round trips, lossless unknown fields,
//! conveniences, and errors for malformed bodies.

use std::path::PathBuf;

use das::trd::{
    parse_webhook, verify_job_id, verify_token, JobResult, JobStatus, ParseErrorKind,
    SegmentStatus, SpeakerId, VerifyError,
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};

const TOKEN: &str = "a8281f88-1b3c-43b5-8fdf-79c35652e112";

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trd");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    assert!(out.len() >= 18, "fixtures missing: {}", out.len());
    out
}

fn fixture(name: &str) -> JobResult {
    let (_, body) = fixtures().into_iter().find(|(n, _)| n == name).unwrap();
    parse_webhook(&body).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// JSON equality where 1200 and 1200.0 are the same number.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn every_fixture_round_trips_and_keeps_every_key() {
    for (name, body) in fixtures() {
        let parsed = parse_webhook(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        let written = parsed.to_json();
        let reparsed = parse_webhook(written.as_bytes()).unwrap();
        assert_eq!(parsed, reparsed, "{name}: parse → to_json → parse");

        let mut original: Value = serde_json::from_slice(&body).unwrap();
        if name == "robust_create_at_alias.json" {
            let job = original["job"].as_object_mut().unwrap();
            let created = job.remove("create_at").unwrap();
            job.insert("created_at".into(), created);
        }
        let rewritten: Value = serde_json::from_str(&written).unwrap();
        assert!(
            same_json(&original, &rewritten),
            "{name}: to_json lost or changed data"
        );
    }
}

#[test]
fn seed_payload_is_typed() {
    let result = fixture("seed_3_11_verbatim.json");
    let job = &result.job;
    assert_eq!(job.id, "6230c8b739231fb289992870");
    assert_eq!(job.status, JobStatus::Completed);
    assert_eq!(job.filename.as_deref(), Some("nasceu.wav"));
    let created = job.created_at.as_ref().unwrap();
    assert_eq!(created.raw(), "2022-03-15T14:11:19.275000-03:00");
    assert_eq!(created.datetime().unwrap().offset_minutes, -180);
    assert_eq!(job.turnaround().unwrap().as_millis(), 2331);
    assert_eq!(job.queue_duration().unwrap().as_millis(), 245);
    assert_eq!(job.failure(), None);
    let media = job.media.as_ref().unwrap();
    assert_eq!(media.size, Some(72544));
    assert_eq!(media.input.as_ref().unwrap().bandwidth, Some(3909.2));
    assert_eq!(result.output_channels()[0].speech, Some(3.2590000000000003));
    assert_eq!(result.audio_duration(), Some(4.531));
    assert_eq!(result.token, None);

    let config = job.config().unwrap();
    assert_eq!(config.priority(), Some(50));
    assert_eq!(
        config.language_model(),
        Some("builtin:slm/callcenter-small")
    );
    assert_eq!(config.max_sentences(), Some(1));
    assert_eq!(config.word_details(), Some(1));
    assert_eq!(config.dtmf_enabled(), Some(false));
    assert_eq!(config.clustering_threshold(), Some(-0.4));
    assert_eq!(config.chunk_max_silence(), Some(1200.0));
    assert_eq!(config.tasks(), Some(vec![]));
    assert_eq!(config.hint_words(), Some(vec![]));

    let segment = &result.segments()[0];
    assert_eq!(segment.status, Some(SegmentStatus::Recognized));
    assert_eq!(segment.text(), "a minha filha nasceu hoje ela tem dez anos");
    assert_eq!(segment.best().unwrap().score(), Some(99.0));
    assert!((segment.duration() - 3.259).abs() < 1e-9);
    let words: Vec<_> = segment.timed_words().collect();
    assert_eq!(words.len(), 9);
    assert_eq!(words[1].word.text, "minha");
    assert!((words[1].start - (0.861 + 0.0898649)).abs() < 1e-12);
    assert!((words[8].end - (0.861 + 3.12)).abs() < 1e-12);
    assert_eq!(segment.tasks().raw(), Some(&json!({})));
    assert_eq!(
        result.transcript(),
        "a minha filha nasceu hoje ela tem dez anos"
    );
}

#[test]
fn stereo_transcripts_by_channel_and_speaker() {
    let result = fixture("completed_stereo_two_channels.json");
    let by_channel = result.transcripts_by_channel();
    assert_eq!(
        by_channel[&1],
        "bom dia em que posso ajudar qual o número do seu cpf"
    );
    assert_eq!(
        by_channel[&2],
        "quero saber o saldo da minha conta um dois três quatro cinco"
    );
    assert_eq!(result.transcript_of_channel(2), by_channel[&2]);
    assert!(result
        .transcript()
        .starts_with("bom dia em que posso ajudar quero saber"));
    let speakers = result.speakers();
    assert_eq!(
        speakers.len(),
        2,
        "speaker \"1\" on two channels is two people"
    );
    assert_eq!(result.transcript_of_speaker(1, "1"), by_channel[&1]);
}

#[test]
fn multi_speaker_one_channel() {
    let result = fixture("completed_multi_speaker_one_channel.json");
    let by_speaker = result.transcripts_by_speaker();
    let key = |s: &str| SpeakerId {
        channel: 1,
        speaker: Some(s.into()),
    };
    assert_eq!(by_speaker.len(), 3);
    assert_eq!(
        by_speaker[&key("1")],
        "vamos começar a reunião obrigado a todos"
    );
    assert_eq!(by_speaker[&key("3")], "e eu fecho com as metas");
    let time = result.speaking_time_by_speaker();
    assert!(time[&key("1")] > time[&key("3")]);
}

#[test]
fn queued_and_failed_jobs() {
    let queued = fixture("queued_create_response.json");
    assert_eq!(queued.job.status, JobStatus::Queued);
    assert_eq!(queued.segments, None);
    assert!(queued.segments().is_empty());
    assert_eq!(queued.job.started_at, None);
    assert_eq!(queued.job.turnaround(), None);
    assert_eq!(queued.transcript(), "");

    for name in ["failed_job.json", "failed_job_no_segments.json"] {
        let failed = fixture(name);
        assert_eq!(failed.job.status, JobStatus::Failed);
        assert!(failed.job.failure().unwrap().contains("placeholder"));
        assert!(failed.segments().is_empty());
        assert_eq!(failed.job.completed_at, None);
    }
    assert_eq!(fixture("failed_job.json").segments, Some(vec![]));
    assert_eq!(fixture("failed_job_no_segments.json").segments, None);
}

#[test]
fn word_details_variants() {
    let wd0 = fixture("word_details_0.json");
    let segments = wd0.segments();
    assert_eq!(segments[0].best().unwrap().words, None);
    assert_eq!(segments[1].best().unwrap().words, Some(vec![]));
    assert_eq!(segments[0].timed_words().count(), 0);
    assert_eq!(wd0.job.config().unwrap().word_details(), Some(0));

    let nbest = fixture("word_details_2_nbest.json");
    let segment = &nbest.segments()[0];
    assert_eq!(segment.alternatives().len(), 3);
    assert!(segment.alternatives().iter().all(|a| !a.words().is_empty()));
    assert_eq!(segment.alternatives()[2].score(), Some(64.0));
    assert_eq!(nbest.job.config().unwrap().max_sentences(), Some(3));
}

#[test]
fn non_recognized_segments_have_no_text() {
    let result = fixture("non_recognized_segments.json");
    let statuses: Vec<_> = result
        .segments()
        .iter()
        .map(|s| s.status.clone().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            SegmentStatus::NoMatch,
            SegmentStatus::NoSpeech,
            SegmentStatus::Failure,
            SegmentStatus::Recognized
        ]
    );
    assert_eq!(result.segments()[0].best(), None);
    assert_eq!(result.segments()[0].text(), "");
    assert_eq!(result.transcript(), "alô");
}

#[test]
fn dtmf_digits() {
    let result = fixture("dtmf.json");
    assert_eq!(result.dtmf_digits()[&1], "12345#");
    assert_eq!(result.job.config().unwrap().dtmf_enabled(), Some(true));
    let tone = &result.output_channels()[0].dtmf.as_ref().unwrap()[0];
    assert_eq!((tone.row_freq, tone.col_freq), (Some(697), Some(1209)));
    assert!(fixture("seed_3_11_verbatim.json").dtmf_digits().is_empty());
}

#[test]
fn task_results_typed_access() {
    let result = fixture("task_results.json");
    let tasks = result.segments()[0].tasks();
    assert_eq!(tasks.age().unwrap().age, Some(35));
    assert_eq!(tasks.age().unwrap().confidence, Some("HIGH"));
    assert_eq!(tasks.gender().unwrap().gender, Some("F"));
    let emotion = tasks.emotion().unwrap();
    assert_eq!(
        (emotion.emotion, emotion.group),
        (Some("feliz"), Some("positivo"))
    );
    assert_eq!(
        result.job.config().unwrap().tasks(),
        Some(vec!["age", "gender", "emotion"])
    );
    assert!(fixture("seed_3_11_verbatim.json").segments()[0]
        .tasks()
        .age()
        .is_none());
}

#[test]
fn legacy_and_robustness_fixtures() {
    let legacy = fixture("legacy_3_2.json");
    assert_eq!(legacy.job.tag.as_deref(), Some("teste"));
    assert_eq!(legacy.job.failure_reason, None);
    assert_eq!(legacy.output_channels()[0].bandwidth, Some(4000.0));
    assert_eq!(
        legacy.job.config().unwrap().chunk_max_silence(),
        Some(1200.0)
    );
    assert!(legacy
        .job
        .config()
        .unwrap()
        .get("/recognition/params")
        .is_some());

    let unknown = fixture("robust_unknown_fields.json");
    assert_eq!(unknown.extra["api_version"], json!("3.99"));
    assert_eq!(unknown.job.extra["priority_class"]["name"], json!("gold"));
    assert_eq!(unknown.output_channels()[0].extra["loudness"], json!(-23.5));
    assert_eq!(
        unknown.segments()[0].extra["confidence_band"],
        json!("high")
    );
    assert_eq!(
        unknown.segments()[0].best().unwrap().words()[0].extra["phones"],
        json!(["a"])
    );

    let alias = fixture("robust_create_at_alias.json");
    assert_eq!(
        alias.job.created_at.unwrap().raw(),
        "2022-03-15T14:11:19.275000-03:00"
    );

    let ints = fixture("robust_ints_for_floats.json");
    assert_eq!(ints.segments()[0].start, 1.0);
    assert_eq!(ints.audio_duration(), Some(5.0));

    let unicode = fixture("robust_unicode_empty_strings.json");
    assert_eq!(unicode.job.tag.as_deref(), Some(""));
    assert!(unicode.segments()[0]
        .text()
        .contains("coração pão maçã \"aspas\" \\"));
    assert_eq!(unicode.segments()[0].end, 0.30000000000000004);
}

#[test]
fn token_and_job_id_checks() {
    let with_token = fixture("completed_mono_single_speaker.json");
    assert_eq!(verify_token(&with_token, TOKEN), Ok(()));
    assert_eq!(
        verify_token(&fixture("robust_token_wrong.json"), TOKEN),
        Err(VerifyError::TokenMismatch)
    );
    assert_eq!(
        verify_token(&fixture("seed_3_11_verbatim.json"), TOKEN),
        Err(VerifyError::MissingToken)
    );
    // An unset setting is an empty expected token; a body whose token is empty too must not
    // pass it, nor one with any other token.
    let mut empty = with_token.clone();
    empty.token = Some(String::new());
    for body in [&empty, &with_token] {
        assert_eq!(verify_token(body, ""), Err(VerifyError::EmptyExpectedToken));
    }
    assert_eq!(
        verify_job_id(&with_token, "6230c8b739231fb289992870"),
        Ok(())
    );
    assert!(matches!(
        verify_job_id(&with_token, "ffffffffffffffffffffffff"),
        Err(VerifyError::JobIdMismatch { .. })
    ));
    let debug = format!("{with_token:?}");
    assert!(!debug.contains(TOKEN), "token leaked into Debug");
    assert!(debug.contains("<redacted>"));
}

#[test]
fn malformed_bodies_name_path_line_and_column() {
    let cases: &[(&str, &str, ParseErrorKind)] = &[
        ("", ".", ParseErrorKind::Truncated),
        ("{", ".", ParseErrorKind::Truncated),
        ("{\"job\": {\"id\": \"x\"", "job.?", ParseErrorKind::Truncated),
        ("not json", ".", ParseErrorKind::Syntax),
        ("[]", ".", ParseErrorKind::Schema),
        ("{}", ".", ParseErrorKind::Schema),
        ("{\"job\": {\"status\": \"QUEUED\"}}", "job", ParseErrorKind::Schema),
        (
            "{\"job\": {\"id\": \"x\",\n \"status\": 7}}",
            "job.status",
            ParseErrorKind::Schema,
        ),
        (
            "{\"job\": {\"id\": \"x\", \"status\": \"COMPLETED\"},\n\"segments\": [{\"channel\": 1, \"start\": 0, \"end\": 1},\n{\"channel\": 1, \"start\": \"zero\", \"end\": 1}]}",
            "segments[1].start",
            ParseErrorKind::Schema,
        ),
        (
            "{\"job\": {\"id\": \"x\", \"status\": \"COMPLETED\"}, \"segments\": [{\"channel\": 1, \"start\": 0, \"end\": 1, \"alternatives\": [{\"words\": [{\"text\": \"a\", \"start_time\": 0, \"end_time\": 1}, {\"text\": \"b\", \"start_time\": [], \"end_time\": 1}]}]}]}",
            "segments[0].alternatives[0].words[1].start_time",
            ParseErrorKind::Schema,
        ),
        (
            "{\"job\": {\"id\": \"x\", \"status\": \"COMPLETED\"}, \"segments\": [{\"channel\": 1, \"start\": 0, \"end\": 1, \"alternatives\": {}}]}",
            "segments[0].alternatives",
            ParseErrorKind::Schema,
        ),
        (
            "{\"job\": {\"id\": \"x\", \"status\": \"COMPLETED\", \"created_at\": 5}}",
            "job.created_at",
            ParseErrorKind::Schema,
        ),
        (
            "{\"job\": {\"id\": \"x\", \"status\": \"COMPLETED\"}} trailing",
            ".",
            ParseErrorKind::Syntax,
        ),
        (
            "{\"job\": {\"id\": \"x\", \"id\": \"y\", \"status\": \"COMPLETED\"}}",
            "job",
            ParseErrorKind::Schema,
        ),
    ];
    for (body, path, kind) in cases {
        let error = parse_webhook(body.as_bytes()).unwrap_err();
        assert_eq!(&error.path, path, "{body:?}: {error}");
        assert_eq!(error.kind, *kind, "{body:?}: {error}");
        assert!(error.to_string().contains(&format!("`{path}`")));
        assert!(error.line >= 1 && error.column >= 1, "{body:?}: {error}");
    }
    let error = parse_webhook(b"{\"job\": {\"id\": \"x\",\n \"status\": 7}}").unwrap_err();
    assert_eq!((error.line, error.column), (2, 12));
    assert!(parse_webhook(&[0xff, 0xfe, b'{']).is_err());
}

#[test]
fn truncations_of_every_fixture_fail_cleanly() {
    for (name, body) in fixtures() {
        let complete = body.trim_ascii_end().len();
        for cut in (0..complete).step_by(7) {
            if let Ok(partial) = parse_webhook(&body[..cut]) {
                panic!("{name}: prefix of {cut} bytes parsed: {:?}", partial.job.id);
            }
        }
    }
}

/// A random but schema-valid document, unknown fields and odd values included.
fn random_document(rng: &mut StdRng) -> Value {
    let text = |rng: &mut StdRng| -> String {
        let pool = [
            "a",
            "ação",
            "ñ",
            "\"q\"",
            "\\",
            "\u{1F600}",
            "x y",
            "",
            "\n",
        ];
        (0..rng.random_range(0..4))
            .map(|_| pool[rng.random_range(0..pool.len())])
            .collect()
    };
    let number = |rng: &mut StdRng| -> Value {
        if rng.random_bool(0.3) {
            json!(rng.random_range(0..10_000))
        } else {
            json!(rng.random::<f64>() * 1e4)
        }
    };
    let mut segments = Vec::new();
    for _ in 0..rng.random_range(0..6) {
        let mut words = Vec::new();
        for _ in 0..rng.random_range(0..5) {
            words.push(json!({"text": text(rng), "score": rng.random_range(0..101),
                "start_time": number(rng), "end_time": number(rng)}));
        }
        let mut alternative = json!({"text": text(rng), "score": number(rng)});
        if rng.random_bool(0.7) {
            alternative["words"] = Value::Array(words);
        }
        let mut segment = json!({"channel": rng.random_range(1..3), "start": number(rng),
            "end": number(rng), "alternatives": [alternative]});
        if rng.random_bool(0.8) {
            segment["speaker"] = json!(rng.random_range(1..4).to_string());
        }
        if rng.random_bool(0.5) {
            let status = ["RECOGNIZED", "NO_MATCH", "WEIRD"][rng.random_range(0..3)];
            segment["status"] = json!(status);
        }
        if rng.random_bool(0.3) {
            segment[text(rng) + "_extra"] = json!({"nested": [number(rng), null, true]});
        }
        segments.push(segment);
    }
    let status = ["QUEUED", "COMPLETED", "STOPPED"][rng.random_range(0..3)];
    let mut job = json!({"id": text(rng), "status": status});
    if rng.random_bool(0.5) {
        let created = ["2022-03-15T14:11:19.275000-03:00", "garbage", ""][rng.random_range(0..3)];
        job["created_at"] = json!(created);
    }
    if rng.random_bool(0.5) {
        job["media"] = json!({"size": rng.random_range(0..1_000_000), "output": {"channels": [
            {"channel": 1, "duration": number(rng), "dtmf": [{"value": "1", "start": number(rng)}]}]}});
    }
    if rng.random_bool(0.5) {
        job["config"] = json!({"priority": number(rng), "recognition": {"tasks": ["age"]}});
    }
    let mut doc = json!({"job": job});
    if rng.random_bool(0.8) {
        doc["segments"] = Value::Array(segments);
    }
    if rng.random_bool(0.5) {
        doc["token"] = json!(text(rng));
    }
    doc
}

#[test]
fn random_documents_round_trip() {
    let mut rng = StdRng::seed_from_u64(0x7d5);
    for _ in 0..500 {
        let doc = random_document(&mut rng);
        let body = serde_json::to_vec(&doc).unwrap();
        let parsed = parse_webhook(&body).unwrap_or_else(|e| panic!("{doc}: {e}"));
        let written = parsed.to_json();
        assert_eq!(parse_webhook(written.as_bytes()).unwrap(), parsed);
        let rewritten: Value = serde_json::from_str(&written).unwrap();
        assert!(same_json(&doc, &rewritten), "{doc}\n{rewritten}");
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let mut rng = StdRng::seed_from_u64(0xbad);
    let specials = [
        b'"', b'{', b'}', b'[', b']', b':', b',', b'\\', b'0', b'-', b'e', 0xff, 0xc3,
    ];
    for (name, body) in fixtures() {
        for _ in 0..200 {
            let mut mutated = body.clone();
            for _ in 0..rng.random_range(1..4) {
                let at = rng.random_range(0..mutated.len());
                mutated[at] = specials[rng.random_range(0..specials.len())];
            }
            if let Err(error) = parse_webhook(&mutated) {
                assert!(error.line >= 1, "{name}: {error}");
            }
        }
    }
}
