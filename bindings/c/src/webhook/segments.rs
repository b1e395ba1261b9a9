//! Segment, alternative and word getters. Indexes are 0-based; an index past the end is
//! `DAS_RESULT_OUT_OF_RANGE`, an absent optional field `DAS_RESULT_NOT_PRESENT`.

use std::ffi::c_char;

use das_core::trd::{Alternative, JobResult, Segment, Word};

use super::document::{checked_index, das_webhook, not_present, TextKey};
use super::job::webhook;
use crate::error::Error;
use crate::ffi_boundary;
use crate::handle;
use crate::out::{self, lend};
use crate::result::das_result;

fn segment(result: &JobResult, segment: usize) -> Result<&Segment, Error> {
    let segments = result.segments();
    Ok(&segments[checked_index(segments.len(), segment, "segment")?])
}

fn alternative(result: &JobResult, seg: usize, alt: usize) -> Result<&Alternative, Error> {
    let alternatives = segment(result, seg)?.alternatives();
    Ok(&alternatives[checked_index(alternatives.len(), alt, "alternative")?])
}

fn word(result: &JobResult, seg: usize, alt: usize, word: usize) -> Result<&Word, Error> {
    let words = alternative(result, seg, alt)?.words();
    Ok(&words[checked_index(words.len(), word, "word")?])
}

/// Writes the number of segments (0 when the result has none, e.g. a failed job).
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `webhook` is a live webhook; `count` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_segment_count(
    webhook: *const das_webhook,
    count: *mut usize,
) -> das_result {
    ffi_boundary!({
        let webhook = webhook!(webhook);
        let value = webhook.result().segments().len();
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { out::write(count, value, "count") }
    })
}

/// Writes segment `segment`'s start and end, in seconds from the start of the audio, and its
/// audio channel.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `webhook` is a live webhook; `start`, `end` and `channel` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_segment(
    webhook: *const das_webhook,
    segment_index: usize,
    start: *mut f64,
    end: *mut f64,
    channel: *mut u32,
) -> das_result {
    ffi_boundary!({
        out::require(start, "start")?;
        out::require(end, "end")?;
        out::require(channel, "channel")?;
        let webhook = webhook!(webhook);
        let found = segment(webhook.result(), segment_index)?;
        // SAFETY: all checked non-NULL above; the caller guarantees they are writable.
        unsafe {
            start.write(found.start);
            end.write(found.end);
            channel.write(found.channel);
        }
        Ok(())
    })
}

/// Lends segment `segment`'s speaker label (labels restart on every channel);
/// `DAS_RESULT_NOT_PRESENT` without diarization.
///
/// Ownership: `*speaker` is owned by `webhook` and valid until `das_webhook_free`.
///
/// # Safety
/// `webhook` is a live webhook; `speaker` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_segment_speaker(
    webhook: *const das_webhook,
    segment_index: usize,
    speaker: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(speaker, "speaker")?;
        let webhook = webhook!(webhook);
        let text = webhook.text(
            TextKey::SegmentSpeaker(segment_index),
            "speaker label for this segment",
            |r| Ok(segment(r, segment_index)?.speaker.clone()),
        )?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(text, speaker, len) }
    })
}

/// Lends segment `segment`'s recognition status as received (`"RECOGNIZED"`, `"NO_MATCH"`,
/// ...); `DAS_RESULT_NOT_PRESENT` when absent.
///
/// Ownership: `*status` is owned by `webhook` and valid until `das_webhook_free`.
///
/// # Safety
/// `webhook` is a live webhook; `status` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_segment_status(
    webhook: *const das_webhook,
    segment_index: usize,
    status: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(status, "status")?;
        let webhook = webhook!(webhook);
        let text = webhook.text(
            TextKey::SegmentStatus(segment_index),
            "status for this segment",
            |r| {
                let found = segment(r, segment_index)?;
                Ok(found.status.as_ref().map(|s| s.as_str().to_owned()))
            },
        )?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(text, status, len) }
    })
}

/// Writes the number of recognition hypotheses of segment `segment` (best first; 0 when
/// nothing was recognized).
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `webhook` is a live webhook; `count` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_alternative_count(
    webhook: *const das_webhook,
    segment_index: usize,
    count: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(count, "count")?;
        let webhook = webhook!(webhook);
        let value = segment(webhook.result(), segment_index)?
            .alternatives()
            .len();
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { out::write(count, value, "count") }
    })
}

/// Lends the text of hypothesis `alternative` of segment `segment` (`""` when absent).
///
/// Ownership: `*text` is owned by `webhook` and valid until `das_webhook_free`.
///
/// # Safety
/// `webhook` is a live webhook; `text` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_alternative_text(
    webhook: *const das_webhook,
    segment_index: usize,
    alternative_index: usize,
    text: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(text, "text")?;
        let webhook = webhook!(webhook);
        let value = webhook.text(
            TextKey::AlternativeText(segment_index, alternative_index),
            "text",
            |r| {
                let found = alternative(r, segment_index, alternative_index)?;
                Ok(Some(found.text().to_owned()))
            },
        )?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(value, text, len) }
    })
}

/// Writes the confidence score of hypothesis `alternative` of segment `segment`;
/// `DAS_RESULT_NOT_PRESENT` when absent.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `webhook` is a live webhook; `score` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_alternative_score(
    webhook: *const das_webhook,
    segment_index: usize,
    alternative_index: usize,
    score: *mut f64,
) -> das_result {
    ffi_boundary!({
        out::require(score, "score")?;
        let webhook = webhook!(webhook);
        let found = alternative(webhook.result(), segment_index, alternative_index)?;
        let value = found
            .score()
            .ok_or_else(|| not_present("score for this alternative"))?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { out::write(score, value, "score") }
    })
}

/// Writes the number of words of hypothesis `alternative` of segment `segment` (0 without
/// word details).
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `webhook` is a live webhook; `count` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_word_count(
    webhook: *const das_webhook,
    segment_index: usize,
    alternative_index: usize,
    count: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(count, "count")?;
        let webhook = webhook!(webhook);
        let value = alternative(webhook.result(), segment_index, alternative_index)?
            .words()
            .len();
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { out::write(count, value, "count") }
    })
}

/// Lends the text of word `word` of hypothesis `alternative` of segment `segment`.
///
/// Ownership: `*text` is owned by `webhook` and valid until `das_webhook_free`.
///
/// # Safety
/// `webhook` is a live webhook; `text` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_word_text(
    webhook: *const das_webhook,
    segment_index: usize,
    alternative_index: usize,
    word_index: usize,
    text: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(text, "text")?;
        let webhook = webhook!(webhook);
        let key = TextKey::WordText(segment_index, alternative_index, word_index);
        let value = webhook.text(key, "word", |r| {
            let found = word(r, segment_index, alternative_index, word_index)?;
            Ok(Some(found.text.to_string()))
        })?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(value, text, len) }
    })
}

/// Writes the start and end of word `word` as TRD sent them (`start_time`, `end_time`). TRD
/// does not document their reference; in every public sample they are relative to the segment,
/// so the word's time in the file is `segment start + start_time` (what the Rust and Python
/// APIs call "timed words").
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `webhook` is a live webhook; `start` and `end` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_word_times(
    webhook: *const das_webhook,
    segment_index: usize,
    alternative_index: usize,
    word_index: usize,
    start: *mut f64,
    end: *mut f64,
) -> das_result {
    ffi_boundary!({
        out::require(start, "start")?;
        out::require(end, "end")?;
        let webhook = webhook!(webhook);
        let found = word(
            webhook.result(),
            segment_index,
            alternative_index,
            word_index,
        )?;
        // SAFETY: both checked non-NULL above; the caller guarantees they are writable.
        unsafe {
            start.write(found.start_time);
            end.write(found.end_time);
        }
        Ok(())
    })
}
