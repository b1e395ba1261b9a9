//! `send_collected_audio`: `result-success` with the session's audio as a second, binary
//! argument (or, with `collected_audio_in_payload`, nested in the payload in binary) reaches
//! the session as its `collected_audio`, the payload staying the object.

use crate::audiohook::register;
use crate::common;

use das::session::{Argument, Event, Verdict};
use das_emulator::{EmulatorConfig, PayloadEncoding};

async fn result_with(send_collected_audio: bool, encoding: PayloadEncoding) -> Event {
    result_of(EmulatorConfig {
        send_collected_audio,
        payload_encoding: encoding,
        ..EmulatorConfig::default()
    })
    .await
}

async fn result_of(config: EmulatorConfig) -> Event {
    let emulator = common::start(config).await;
    let events = register(&emulator).await;
    emulator.shutdown().await;
    events.into_iter().find(Event::is_result).expect("a result")
}

#[tokio::test]
async fn the_collected_audio_arrives_as_bytes_beside_the_payload_in_both_encodings() {
    for encoding in [PayloadEncoding::JsonString, PayloadEncoding::Object] {
        let result = result_with(true, encoding).await;
        let Event::ResultSuccess {
            credential: Some(_),
            collected_audio: Some(audio),
            verdict: Verdict::Accepted,
            data,
            arguments,
            ..
        } = &result
        else {
            panic!("{result:?}")
        };
        assert_eq!(data["content"], "Registration: approved", "{encoding:?}");
        // µ-law at 8 kHz: at least the 5 s of voice the request asked for.
        assert!(audio.len() >= 5 * 8000, "{} bytes", audio.len());
        assert_eq!(arguments.len(), 2);
        assert_eq!(arguments[1], Argument::Binary(audio.clone()));
    }
}

#[tokio::test]
async fn audio_nested_in_the_payload_is_the_collected_audio_and_its_placeholder_resolves() {
    // JSON text cannot hold binary: the payload goes as an object even where text is asked for.
    let result = result_of(EmulatorConfig {
        send_collected_audio: true,
        collected_audio_in_payload: true,
        payload_encoding: PayloadEncoding::JsonString,
        ..EmulatorConfig::default()
    })
    .await;
    let Event::ResultSuccess {
        collected_audio: Some(audio),
        verdict: Verdict::Accepted,
        data,
        arguments,
        ..
    } = &result
    else {
        panic!("{result:?}")
    };
    assert!(audio.len() >= 5 * 8000, "{} bytes", audio.len());
    assert_eq!(data["content"], "Registration: approved");
    assert_eq!(data["collected_audio"], das::socketio::placeholder(0));
    assert_eq!(result.attachment(&data["collected_audio"]), Some(audio));
    assert!(
        matches!(&arguments[..], [Argument::JsonWithBinary { attachments, .. }] if attachments[..] == [audio.clone()]),
        "{arguments:?}"
    );
}

#[tokio::test]
async fn by_default_the_result_has_one_argument_and_no_audio() {
    let result = result_with(false, PayloadEncoding::JsonString).await;
    assert!(
        matches!(
            &result,
            Event::ResultSuccess {
                collected_audio: None,
                credential: Some(_),
                ..
            }
        ),
        "{result:?}"
    );
    assert_eq!(result.arguments().len(), 1);
}
