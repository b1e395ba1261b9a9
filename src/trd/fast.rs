//! The first pass of [`super::parse_webhook`]: simd-json, which picks its SIMD code when it runs
//! (no target-specific build flags), builds its tape, and `tape.rs` reads the result from it
//! (the readers `wire_struct!` writes from the same field lists as the `Deserialize` impls).
//!
//! serde_json stays the reference: a body simd-json or the tape reader refuses is parsed again
//! by serde_json, which accepts it or reports the error (message, path, line, column) exactly
//! as before. So the fast pass may refuse more than serde_json, never less, and must give the
//! same values; the tests at the end of this file hold it to both.
//!
//! simd-json rewrites its input, so the body is copied, once: into a buffer with simd-json's
//! padding after it, which it parses in place (`fill_tape_padded`; its other entry points copy
//! the body a second time into a padded buffer of their own). The copy, simd-json's working
//! buffers and its tape are kept per thread, because allocating them for every large body is
//! what glibc trims and faults back in (see `seq.rs`).

use std::cell::RefCell;
use std::mem::size_of;

use simd_json::{Buffers, Node, Tape, INPUT_PADDING};

use super::model::JobResult;
use super::tape::{Cursor, FromTape};

/// Bodies up to this size leave their buffers to the thread's next parse; larger ones free them.
/// The copy and simd-json's buffers come to about five times the body's size (the copy, string
/// buffer, an index per structural character, a 24-byte tape node per key and value).
const KEPT_BYTES: usize = 4 << 20;

/// A result's tape is about 2.5 times its body, but a body of tiny values (`[0,0,…]`) makes it
/// 12 times; a thread keeps a tape (and `Cursor`'s copy of part of one) up to this size.
const KEPT_TAPE_BYTES: usize = 3 * KEPT_BYTES;

/// serde_json's nesting limit: deeper bodies go to serde_json, which refuses them.
const MAX_DEPTH: usize = 127;

struct Scratch {
    /// The body, then `INPUT_PADDING` spaces.
    body: Vec<u8>,
    buffers: Buffers,
    /// Empty between parses (its nodes borrow from `body` only during one).
    tape: Vec<Node<'static>>,
    /// `Cursor`'s buffer, empty between parses.
    spare: Vec<Node<'static>>,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            body: Vec::new(),
            buffers: Buffers::with_max_depth(0, MAX_DEPTH),
            tape: Vec::new(),
            spare: Vec::new(),
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

/// The document, or `None` when simd-json refuses it and serde_json has the last word.
pub(crate) fn parse(body: &[u8]) -> Option<JobResult> {
    if body.len() > KEPT_BYTES {
        return parse_with(body, &mut Scratch::new());
    }
    // `try_with`/`try_borrow_mut`: in a thread-local destructor, or nested, use fresh buffers.
    SCRATCH
        .try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => parse_with(body, &mut scratch),
            Err(_) => parse_with(body, &mut Scratch::new()),
        })
        .unwrap_or_else(|_| parse_with(body, &mut Scratch::new()))
}

fn parse_with(body: &[u8], scratch: &mut Scratch) -> Option<JobResult> {
    scratch.body.clear();
    scratch.body.reserve(body.len() + INPUT_PADDING);
    scratch.body.extend_from_slice(body);
    // Spaces, as simd-json pads its own copy: the document ends where the body does.
    scratch.body.resize(body.len() + INPUT_PADDING, b' ');
    let mut tape = Tape(std::mem::take(&mut scratch.tape)).reset();
    let filled = simd_json::fill_tape_padded(
        &mut scratch.body,
        body.len(),
        &mut scratch.buffers,
        &mut tape,
    );
    if filled.is_err() {
        scratch.tape = kept(tape.reset().0);
        return None;
    }
    let mut cursor = Cursor::new(&tape.0, std::mem::take(&mut scratch.spare));
    let parsed = JobResult::from_tape(&mut cursor);
    scratch.spare = kept(cursor.into_spare());
    scratch.tape = kept(tape.reset().0);
    parsed
}

/// `nodes` (empty), or a new `Vec` when it holds more than `KEPT_TAPE_BYTES`.
fn kept(nodes: Vec<Node<'static>>) -> Vec<Node<'static>> {
    if nodes.capacity() * size_of::<Node>() > KEPT_TAPE_BYTES {
        return Vec::new();
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// simd-json's answer must be serde_json's, or a refusal (then serde_json answers).
    fn check(body: &[u8]) {
        let reference = serde_json::from_slice::<JobResult>(body);
        if let Some(fast) = parse(body) {
            let reference = reference.unwrap_or_else(|error| {
                panic!("simd-json accepts what serde_json refuses ({error}): {body:?}")
            });
            assert_eq!(fast, reference, "{}", String::from_utf8_lossy(body));
            assert_eq!(fast.to_json(), reference.to_json());
        }
    }

    fn document(config: &str, start: &str, score: &str, text: &str) -> String {
        format!(
            r#"{{"job":{{"id":"x","status":"COMPLETED","config":{config}}},"segments":[{{"channel":1,"start":{start},"end":2.5,"alternatives":[{{"text":{text},"score":{score},"words":[{{"text":{text},"score":{score},"start_time":{start},"end_time":1.0}}]}}]}}],"token":"t"}}"#
        )
    }

    const NUMBERS: &[&str] = &[
        "0",
        "-0",
        "-0.0",
        "0e5",
        "5",
        "-7",
        "97.0",
        "1e2",
        "1E+2",
        "0.36173584186",
        "0.6617358418600001",
        "3595.0000000000005",
        "2.2250738585072011e-308",
        "4.9e-324",
        "1e-400",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "1e400",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901234567890.1234567890123456789e-10",
        "01",
        "1.",
        ".5",
        "+1",
        "-",
        "1e",
        "NaN",
        "Infinity",
        "\"1\"",
        "null",
        "true",
        "[]",
    ];

    const TEXTS: &[&str] = &[
        r#""a""#,
        r#""ç ã""#,
        r#""\u00e7""#,
        r#""\ud83d\ude00""#,
        r#""\ud800""#,
        r#""\udc00x""#,
        r#""\n\t\"\\\/""#,
        "\"\u{1}\"",
        "\"\u{7f}\"",
        r#""\x""#,
        "\"a",
        "null",
        "5",
        r#""""#,
    ];

    #[test]
    fn numbers_as_serde_json_reads_them() {
        for number in NUMBERS {
            check(document("{}", number, "97", r#""a""#).as_bytes());
            check(document("{}", "0.5", number, r#""a""#).as_bytes());
            check(document(&format!("{{\"n\":[{number}]}}"), "0.5", "97", r#""a""#).as_bytes());
        }
    }

    /// simd-json reads `-0` as the integer 0; serde_json as `-0.0`, so such a body is its.
    #[test]
    fn negative_zero_goes_to_serde_json_wherever_it_stands() {
        let plain = document("{}", "0.5", "97", r#""a""#);
        for body in [
            document(r#"{"n":-0}"#, "0.5", "97", r#""a""#),
            document(r#"[{"n":[1,-0]}]"#, "0.5", "97", r#""a""#),
            document("{}", "-0", "97", r#""a""#),
            document("{}", "0.5", "-0", r#""a""#),
            plain.replace(r#""channel":1,"#, r#""channel":-0,"#),
            plain.replace(
                r#""channel":1,"#,
                r#""channel":1,"task_results":{"age":[-0]},"#,
            ),
            plain.replace(r#""config":{}"#, r#""config":{},"media":{"size":-0}"#),
            plain.replace(r#""token":"t""#, r#""token":"t","n":-0"#),
        ] {
            check(body.as_bytes());
            assert!(parse(body.as_bytes()).is_none(), "{body}");
        }
        // `-0` in a string (a UTC offset) or in a float, and `0` anywhere, stay on the fast pass.
        for body in [
            plain.replace(r#""config":{}"#, r#""config":{"n":0},"media":{"size":0}"#),
            plain.replace(r#""token":"t""#, r#""token":"t","n":[0,{"m":0}]"#),
            plain.replace(
                r#""channel":1,"#,
                r#""channel":0,"task_results":{"age":0},"#,
            ),
            document(
                r#"{"at":"2024-01-01T00:00:00-00:00"}"#,
                "0.5",
                "97",
                r#""-0""#,
            ),
            document(r#"{"n":[-0.0,-0e1,-0.5]}"#, "-0.0", "97", r#""a""#),
        ] {
            check(body.as_bytes());
            assert!(parse(body.as_bytes()).is_some(), "{body}");
        }
    }

    /// serde_json's `Value` visitor reads this key as a `RawValue`; the fast pass leaves it be.
    #[test]
    fn a_raw_value_marker_in_raw_json_goes_to_serde_json() {
        for config in [
            r#"{"$serde_json::private::RawValue":"[1]"}"#,
            r#"{"$serde_json::private::RawValue":"x"}"#,
            r#"{"a":{"$serde_json::private::RawValue":1}}"#,
        ] {
            let body = document(config, "0.5", "97", r#""a""#);
            check(body.as_bytes());
            assert!(parse(body.as_bytes()).is_none(), "{body}");
        }
    }

    #[test]
    fn times_written_many_ways_as_serde_json_reads_them() {
        // A fixed pseudo-random walk over magnitudes and digit counts.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut fast = 0;
        for _ in 0..2_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let value = f64::from_bits(state >> 2) % 1e6;
            let digits = (state % 20) as usize;
            for number in [
                format!("{value}"),
                format!("{value:.digits$}"),
                format!("{value:e}"),
                format!("{:.digits$e}", -value),
            ] {
                let body = document("{}", &number, &number, r#""a""#);
                check(body.as_bytes());
                fast += usize::from(parse(body.as_bytes()).is_some());
            }
        }
        assert!(fast > 7_000, "only {fast} of 8000 on the fast pass");
    }

    /// `{"k":v,...}` from pairs.
    fn object(fields: &[(String, String)]) -> String {
        let fields: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", fields.join(","))
    }

    /// The field list, then each field dropped, duplicated, renamed and given other values,
    /// then unknown keys (repeated ones too) before the known ones.
    fn variants(fields: &[(&str, &str)]) -> Vec<Vec<(String, String)>> {
        let fields: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut variants = vec![fields.clone()];
        for at in 0..fields.len() {
            let (key, _) = &fields[at];
            let mut changed = fields.clone();
            changed.remove(at);
            variants.push(changed);
            let mut changed = fields.clone();
            changed.push((key.clone(), "1".to_owned()));
            variants.push(changed);
            let mut changed = fields.clone();
            changed[at].0 = format!("x{key}");
            variants.push(changed);
            for value in [
                "null",
                "\"1\"",
                "0",
                "-1",
                "4294967296",
                "1.5",
                "1e2",
                "true",
                "[]",
                "{}",
            ] {
                let mut changed = fields.clone();
                changed[at].1 = value.to_owned();
                variants.push(changed);
            }
        }
        for unknown in [
            &[("extra", "[1,{\"a\":null}]")][..],
            &[("b", "1"), ("a", "2"), ("b", "3")],
        ] {
            let mut changed: Vec<(String, String)> = unknown
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            changed.extend(fields.iter().cloned());
            variants.push(changed);
        }
        variants
    }

    /// The readers `wire_struct!` writes for the hot objects (segment, alternative, word):
    /// duplicate, missing, unknown and mistyped keys.
    #[test]
    fn objects_as_serde_json_reads_them() {
        let segment = [
            ("channel", "1"),
            ("start", "0.5"),
            ("end", "2.5"),
            ("speaker", "\"1\""),
        ];
        let alternative = [("text", "\"a b\""), ("score", "97"), ("lm", "\"m\"")];
        let word = [
            ("text", "\"a\""),
            ("score", "97"),
            ("start_time", "0.5"),
            ("end_time", "1.0"),
        ];
        let body = |segment: &[(String, String)], alternative: &[(String, String)], word: &str| {
            let mut alternative = alternative.to_vec();
            alternative.push(("words".to_owned(), format!("[{word},{word}]")));
            let mut segment = segment.to_vec();
            segment.push((
                "alternatives".to_owned(),
                format!("[{}]", object(&alternative)),
            ));
            format!(
                r#"{{"job":{{"id":"x","status":"COMPLETED"}},"segments":[{}]}}"#,
                object(&segment)
            )
        };
        let (segments, alternatives, words) =
            (variants(&segment), variants(&alternative), variants(&word));
        let mut fast = 0;
        for segment_fields in &segments {
            let body = body(segment_fields, &alternatives[0], &object(&words[0]));
            check(body.as_bytes());
            fast += usize::from(parse(body.as_bytes()).is_some());
        }
        for alternative_fields in &alternatives {
            check(body(&segments[0], alternative_fields, &object(&words[0])).as_bytes());
        }
        for word_fields in &words {
            check(body(&segments[0], &alternatives[0], &object(word_fields)).as_bytes());
        }
        // Some variants are accepted (and checked against serde_json's values).
        assert!(fast > 10, "{fast}");
    }

    #[test]
    fn strings_as_serde_json_reads_them() {
        for text in TEXTS {
            check(document("{}", "0.5", "97", text).as_bytes());
            check(document(&format!("{{{text}:1}}"), "0.5", "97", r#""a""#).as_bytes());
        }
        check(
            &document("{}", "0.5", "97", "\"\u{e7}\"")
                .replace('\u{e7}', "\u{fffd}")
                .into_bytes(),
        );
        let mut invalid_utf8 = document("{}", "0.5", "97", r#""ab""#).into_bytes();
        let at = invalid_utf8.windows(2).position(|w| w == b"ab").unwrap();
        invalid_utf8[at] = 0xff;
        check(&invalid_utf8);
    }

    #[test]
    fn nesting_and_framing_as_serde_json_reads_them() {
        for depth in [120, 125, 126, 127, 128, 129, 200] {
            let config = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            check(document(&config, "0.5", "97", r#""a""#).as_bytes());
            let config = format!("{}1{}", "{\"k\":".repeat(depth), "}".repeat(depth));
            check(document(&config, "0.5", "97", r#""a""#).as_bytes());
        }
        let body = document(r#"{"a":1,"a":2}"#, "0.5", "97", r#""a""#);
        for framed in [
            body.clone(),
            format!(" \n\t{body}\r\n "),
            format!("\u{feff}{body}"),
            format!("{body} x"),
            format!("{body}{body}"),
            format!("{body},"),
            body.replace("\"token\"", "\"token\":\"u\",\"token\""),
            body.replace(',', " , "),
            body.replace(':', " :\n"),
            body.replace("]}],", "],}],"),
            String::new(),
            "null".to_owned(),
            "{}".to_owned(),
        ] {
            check(framed.as_bytes());
        }
        for cut in 0..body.len() {
            check(&body.as_bytes()[..cut]);
        }
    }

    #[test]
    fn a_thread_keeps_a_results_tape_but_not_one_of_tiny_values_or_its_copy() {
        let kept_tape = || SCRATCH.with(|cell| cell.borrow().tape.capacity() * size_of::<Node>());
        let kept_spare = || SCRATCH.with(|cell| cell.borrow().spare.capacity() * size_of::<Node>());
        let mut words = String::new();
        for at in 0..2_000 {
            words += &format!(r#"{{"text":"w","score":9,"start_time":{at},"end_time":{at}.5}},"#);
        }
        let result = document("{}", "0.5", "97", r#""a""#).replacen(
            r#""words":["#,
            &format!(r#""words":[{words}"#),
            1,
        );
        assert!(parse(result.as_bytes()).is_some());
        assert!(
            kept_tape() > result.len(),
            "{} of {}",
            kept_tape(),
            result.len()
        );
        let zeros = format!("[{}0]", "0,".repeat(KEPT_TAPE_BYTES / size_of::<Node>()));
        assert!(zeros.len() < KEPT_BYTES);
        assert!(parse(document(&zeros, "0.5", "97", r#""a""#).as_bytes()).is_some());
        assert_eq!((kept_tape(), kept_spare()), (0, 0));
    }

    #[test]
    fn the_fuzz_corpus_reads_as_serde_json_reads_it() {
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/trd_webhook");
        let mut files = 0;
        for entry in std::fs::read_dir(corpus).unwrap() {
            check(&std::fs::read(entry.unwrap().path()).unwrap());
            files += 1;
        }
        assert!(files > 100, "{files} corpus files");
    }

    #[test]
    fn every_fixture_parses_on_the_fast_pass() {
        for fixture in [
            &include_bytes!("../../tests/fixtures/trd/completed_mono_single_speaker.json")[..],
            &include_bytes!("../../tests/fixtures/trd/completed_multi_speaker_one_channel.json")[..],
            &include_bytes!("../../tests/fixtures/trd/completed_stereo_two_channels.json")[..],
            &include_bytes!("../../tests/fixtures/trd/dtmf.json")[..],
            &include_bytes!("../../tests/fixtures/trd/failed_job.json")[..],
            &include_bytes!("../../tests/fixtures/trd/failed_job_no_segments.json")[..],
            &include_bytes!("../../tests/fixtures/trd/legacy_3_2.json")[..],
            &include_bytes!("../../tests/fixtures/trd/non_recognized_segments.json")[..],
            &include_bytes!("../../tests/fixtures/trd/queued_create_response.json")[..],
            &include_bytes!("../../tests/fixtures/trd/robust_create_at_alias.json")[..],
            &include_bytes!("../../tests/fixtures/trd/robust_ints_for_floats.json")[..],
            &include_bytes!("../../tests/fixtures/trd/robust_token_wrong.json")[..],
            &include_bytes!("../../tests/fixtures/trd/robust_unicode_empty_strings.json")[..],
            &include_bytes!("../../tests/fixtures/trd/robust_unknown_fields.json")[..],
            &include_bytes!("../../tests/fixtures/trd/seed_3_11_verbatim.json")[..],
            &include_bytes!("../../tests/fixtures/trd/task_results.json")[..],
            &include_bytes!("../../tests/fixtures/trd/word_details_0.json")[..],
            &include_bytes!("../../tests/fixtures/trd/word_details_2_nbest.json")[..],
        ] {
            check(fixture);
            assert!(
                parse(fixture).is_some(),
                "{}",
                String::from_utf8_lossy(fixture)
            );
        }
    }
}
