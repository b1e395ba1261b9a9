//! Golden frames: the wire examples of the Socket.IO / Engine.IO protocol documents and the
//! official socket.io-protocol test suite, plus python-socketio's observed quirks.

use bytes::Bytes;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use super::decoder::{Decoder, Inbound};
use super::engine::{EnginePacket, Handshake};
use super::packet::{placeholder, Packet, PacketKind};

fn decode(frame: &str) -> Packet {
    Packet::decode(frame).unwrap_or_else(|e| panic!("{frame}: {e}"))
}

#[test]
fn connect_frames_encode_as_in_the_spec() {
    assert_eq!(Packet::connect("/", None).encode(), "0");
    assert_eq!(
        Packet::connect("/", Some(json!({"token":"123"}))).encode(),
        r#"0{"token":"123"}"#
    );
    assert_eq!(Packet::connect("/custom", None).encode(), "0/custom,");
    assert_eq!(
        Packet::connect("/custom", Some(json!({"token":"abc"}))).encode(),
        r#"0/custom,{"token":"abc"}"#
    );
    assert_eq!(
        Packet::connect("/socket.io/register", None).encode(),
        "0/socket.io/register,"
    );
    assert_eq!(
        Packet::disconnect("/socket.io/register").encode(),
        "1/socket.io/register,"
    );
}

#[test]
fn connect_replies_decode() {
    let p = decode(r#"0{"sid":"abc"}"#);
    assert_eq!(
        (p.kind, p.namespace.as_str(), p.data),
        (PacketKind::Connect, "/", Some(json!({"sid":"abc"})))
    );
    let p = decode(r#"0/custom,{"sid":"x"}"#);
    assert_eq!(p.namespace, "/custom");
    let p = decode(r#"0/socket.io/register,{"sid":"s"}"#);
    assert_eq!(p.namespace, "/socket.io/register");
}

#[test]
fn connect_errors_decode_as_object_or_string() {
    let p = decode(r#"4/random,{"message":"Invalid namespace"}"#);
    assert_eq!(p.kind, PacketKind::ConnectError);
    assert_eq!(p.namespace, "/random");
    assert_eq!(p.data, Some(json!({"message":"Invalid namespace"})));
    let p = decode(r#"4/nope,"Unable to connect""#);
    assert_eq!(p.data, Some(json!("Unable to connect")));
}

#[test]
fn events_and_acks_round_trip() {
    let frame = r#"2["message",1,"2",{"3":[true]}]"#;
    let p = decode(frame);
    assert_eq!(p.encode(), frame);
    assert_eq!(
        p.clone().into_event(),
        Some((
            "message".to_owned(),
            vec![json!(1), json!("2"), json!({"3":[true]})]
        ))
    );

    let p = decode(r#"2456["message-with-ack",1,"2",{"3":[false]}]"#);
    assert_eq!((p.kind, p.id), (PacketKind::Event, Some(456)));
    let ack = Packet::ack(
        "/",
        456,
        vec![json!(1), json!("2"), json!({"3":[false]})],
        0,
    );
    assert_eq!(ack.encode(), r#"3456[1,"2",{"3":[false]}]"#);
    assert_eq!(decode(r#"3456[1,"2",{"3":[false]}]"#), ack);

    let ev = Packet::event(
        "/socket.io/register",
        "hello",
        vec![json!({"a":1})],
        Some(17),
        0,
    );
    assert_eq!(ev.encode(), r#"2/socket.io/register,17["hello",{"a":1}]"#);
    let p = decode(r#"3/socket.io/register,17[["acked","hello"]]"#);
    assert_eq!(p.into_args(), vec![json!(["acked", "hello"])]);
}

#[test]
fn binary_packets_carry_placeholders_and_counts() {
    let args = vec![placeholder(0), placeholder(1)];
    let ev = Packet::event("/", "message", args.clone(), None, 2);
    assert_eq!(
        ev.encode(),
        r#"52-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#
    );
    let ack = Packet::ack("/", 789, args, 2);
    assert_eq!(
        ack.encode(),
        r#"62-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#
    );
    let p = decode(r#"51-/nsp,["ev",{"_placeholder":true,"num":0}]"#);
    assert_eq!(
        (p.kind, p.attachments, p.namespace.as_str()),
        (PacketKind::BinaryEvent, 1, "/nsp")
    );
}

/// das-Peak's frames (a name and a JSON text full of escaped quotes) take a faster path than
/// the rest; both must read exactly what serde_json reads.
#[test]
fn event_payloads_decode_as_serde_json_reads_them() {
    let das_peak = r#"2/socket.io/register/1f2e,["info-vad-status","{\"event\": \"info-vad-status\", \"content\": \"Voice activity detection percentage\", \"audio_seconds\": 0.52, \"vad_percentage\": 10}"]"#;
    let p = decode(das_peak);
    assert_eq!(p.namespace, "/socket.io/register/1f2e");
    let (name, args) = p.into_event().expect("an event");
    assert_eq!(name, "info-vad-status");
    let text = args[0].as_str().expect("JSON text");
    assert!(
        text.starts_with(r#"{"event": "info-vad-status", "content""#),
        "{text}"
    );

    let huge = format!(r#"2["big","{}"]"#, "\\\"é".repeat(50_000));
    for frame in [
        das_peak,
        r#"2["a","",""]"#,
        r#"2["ünïcödé 日本 🎉","\u00e9\ud83c\udf89"]"#,
        r#"2["esc","\"\\\/\b\f\n\r\t"]"#,
        r#"2["numbers",1,-2.5e3,0.1,18446744073709551615]"#,
        r#"2["nested",["a",["b"]],{"k":["v"]}]"#,
        r#"2["json-string-not-object","[1, 2]","10","\"quoted\""]"#,
        r#"2 ["spaced" , "x" ]"#,
        r#"2["only-name"]"#,
        r#"21["with-ack","x"]"#,
        r#"3/nsp,7["ack","x"]"#,
        r#"51-/nsp,["bin","text",{"_placeholder":true,"num":0}]"#,
        huge.as_str(),
    ] {
        let json = &frame[frame.find('[').expect("an array")..];
        let expected: serde_json::Value = serde_json::from_str(json).expect(frame);
        assert_eq!(decode(frame).data, Some(expected), "{frame}");
    }

    // What serde_json refuses is refused, in its words.
    for (frame, words) in [
        ("2[\"tab\there\"]", "control character"),
        (r#"2["bad escape \x"]"#, "invalid escape"),
        (r#"2["unterminated"#, "EOF while parsing"),
        (r#"2["a"]["b"]"#, "trailing characters"),
        (r#"2["lone \ud800"]"#, "hex escape"),
    ] {
        let error = Packet::decode(frame).expect_err(frame);
        assert!(error.message().contains(words), "{frame}: {error}");
    }
}

#[test]
fn invalid_packets_from_the_test_suite_are_rejected() {
    for frame in [
        "abc",
        "{}",
        r#"2abc["message-with-ack",1,"2",{"3":[false]}]"#,
        "2",
        "2[]",
        "2[1]",
        "3[1]",
        "3/x,5{}",
        "5[\"x\"]",
        r#"51-["x",{"_placeholder":true,"num":1}]"#,
        "0[1]",
        "9",
        "",
        "299999999999999999999999[\"x\"]",
        // Found by fuzzing: "1844 3372036" re-encoded as "18443372036", an ack id.
        "1844 3372036",
        "1/x,{}",
        "4/x, 5",
        "4[1]",
    ] {
        assert!(
            Packet::decode(frame).is_err(),
            "{frame:?} should be rejected"
        );
    }
}

#[test]
fn engine_packets_parse() {
    let open = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
    let EnginePacket::Open(h) = EnginePacket::parse(open).unwrap() else {
        panic!("not open")
    };
    assert_eq!(
        h,
        Handshake {
            sid: "lv_VI97HAXpY6yYWAAAC".into(),
            upgrades: vec![],
            ping_interval: 25000,
            ping_timeout: 20000,
            max_payload: 1_000_000
        }
    );
    assert_eq!(h.heartbeat_deadline().as_millis(), 45000);
    assert_eq!(EnginePacket::parse("2").unwrap(), EnginePacket::Ping(""));
    assert_eq!(EnginePacket::parse("3").unwrap(), EnginePacket::Pong(""));
    assert_eq!(EnginePacket::parse("1").unwrap(), EnginePacket::Close);
    assert_eq!(EnginePacket::parse("6").unwrap(), EnginePacket::Noop);
    assert_eq!(
        EnginePacket::parse("42[\"a\"]").unwrap(),
        EnginePacket::Message("2[\"a\"]")
    );
    // "\u{34f}2": found by fuzzing, a non-ASCII type character used to panic.
    for bad in ["", "7", "0{", "0{\"sid\":1}", "x", "\u{34f}2", "é"] {
        assert!(EnginePacket::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn decoder_assembles_attachments_in_order() {
    let mut d = Decoder::default();
    let header = r#"452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#;
    assert_eq!(
        d.on_message(Message::text(header)).unwrap(),
        Inbound::Nothing
    );
    assert_eq!(
        d.on_message(Message::binary(vec![1u8, 2, 3])).unwrap(),
        Inbound::Nothing
    );
    let Inbound::Packet(p, att) = d.on_message(Message::binary(vec![4u8, 5, 6])).unwrap() else {
        panic!("packet expected")
    };
    assert_eq!(p.kind, PacketKind::BinaryEvent);
    assert_eq!(
        att,
        vec![
            Bytes::from_static(&[1, 2, 3]),
            Bytes::from_static(&[4, 5, 6])
        ]
    );
    assert_eq!(d.on_message(Message::text("2")).unwrap(), Inbound::Ping);
}

#[test]
fn decoder_rejects_out_of_order_frames() {
    let mut d = Decoder::default();
    assert!(d.on_message(Message::binary(vec![1u8])).is_err());
    let mut d = Decoder::default();
    d.on_message(Message::text(r#"451-["x",{"_placeholder":true,"num":0}]"#))
        .unwrap();
    assert!(d.on_message(Message::text("42[\"y\"]")).is_err());
    let mut d = Decoder::default();
    assert!(d.on_message(Message::text("4abc")).is_err());
    assert!(d.on_message(Message::text("42{}")).is_err());
}
