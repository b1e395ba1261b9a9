//! The floor: what carrying a session's bytes costs with nothing but the cheapest framing.
//!
//! Per session the floor client opens the same two connections das opens (signalling and
//! audio) and exchanges the same messages, of the same sizes, at the same moments: the
//! handshakes' round trips, the 200 ms audio frames, AudioHook's pings, the events and the
//! closing messages. Every message is a 4-byte length and its bytes: no Socket.IO, AudioHook,
//! HTTP, WebSocket masking or JSON. The floor server (a child process, like the emulator)
//! answers the handshakes and pings, emits the events of a das session recorded in the same
//! run (their sizes and their times after `info-consumer-ready`, from the emulator's timing
//! log) and discards the audio.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use das::audio::codec::Codec;
use das::audio::wav::Wav;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::fleet::{unix_now_ns, Fleet, FrameClock, SessionOutcome};
use crate::report::{ClientReport, Received, SentEvent};
use crate::{FRAME, FRAME_BYTES, SESSION_TIMEOUT, WAV};

/// The handshakes' round trips, (client bytes, server bytes) on the wire, as one das (Rust)
/// session exchanges them with the emulator (`strace`, 2026-12-06): Socket.IO's HTTP upgrade,
/// namespace CONNECT and `initialize`; AudioHook's signed upgrade and `open`/`opened`.
pub const SIGNALLING_HANDSHAKE: [(usize, usize); 3] = [(257, 270), (28, 50), (340, 158)];
pub const AUDIO_HANDSHAKE: [(usize, usize); 2] = [(749, 166), (419, 184)];
/// Engine.IO's ping rides on `info-consumer-ready`; the client's pong.
const ENGINE_PONG: usize = 7;
/// AudioHook's ping (1 s after `open`, again on the first pong, then every 5 s) and pong.
pub const PING: usize = 150;
/// An audio frame's message: its length and 200 ms of µ-law.
pub const FRAME_BYTES_ON_WIRE: usize = 4 + FRAME_BYTES;
pub const PONG: usize = 113;
const FIRST_PING: Duration = Duration::from_secs(1);
const PING_INTERVAL: Duration = Duration::from_secs(5);
/// What the client sends when the result is in: AudioHook `close`, then Socket.IO's
/// DISCONNECT and the WebSocket Close frame.
const AUDIO_CLOSE: usize = 161;
const SIGNALLING_CLOSE: [usize; 2] = [28, 6];

/// First byte of a message: what it is.
pub const CONSUMER_READY: u8 = b'C';
pub const RESULT: u8 = b'R';
pub const OTHER_EVENT: u8 = b'V';
pub const PING_KIND: u8 = b'P';
pub const CLOSE_KIND: u8 = b'X';

/// The events of one recorded session: (time after the first event, size in bytes).
#[derive(Debug, Clone)]
pub struct Schedule(Vec<(Duration, usize)>);

impl Schedule {
    /// The events the emulator sent on `call_id`, from its timing log.
    pub fn recorded(sent: &HashMap<(String, u32), SentEvent>, call_id: &str) -> Schedule {
        let mut events: Vec<_> = sent
            .iter()
            .filter(|((id, _), _)| id == call_id)
            .map(|((_, seq), event)| (*seq, event.unix_ns, event.bytes))
            .collect();
        events.sort_unstable();
        let first = events.first().map_or(0, |e| e.1);
        let schedule = Schedule(
            events
                .into_iter()
                .map(|(_, ns, bytes)| (Duration::from_nanos(ns.saturating_sub(first)), bytes))
                .collect(),
        );
        assert!(
            schedule.0.len() >= 2,
            "no recorded session {call_id} in the timing log"
        );
        schedule
    }

    /// As one command-line argument: `bytes@micros,…`.
    pub fn to_arg(&self) -> String {
        let items: Vec<String> = self
            .0
            .iter()
            .map(|(at, bytes)| format!("{bytes}@{}", at.as_micros()))
            .collect();
        items.join(",")
    }

    pub fn events(&self) -> &[(Duration, usize)] {
        &self.0
    }

    pub fn from_arg(arg: &str) -> Schedule {
        Schedule(
            arg.split(',')
                .map(|item| {
                    let (bytes, micros) = item.split_once('@').expect("bytes@micros");
                    (
                        Duration::from_micros(micros.parse().expect("micros")),
                        bytes.parse().expect("bytes"),
                    )
                })
                .collect(),
        )
    }
}

pub async fn run(port: u16, n: usize) -> ClientReport {
    let wav = Wav::read(WAV)
        .and_then(|wav| wav.to_wire(Codec::Mulaw))
        .expect("samples/speaker-a.wav");
    // Every frame framed once and shared, as cheap as sending can be.
    let frames: Arc<Vec<Vec<u8>>> = Arc::new(wav.chunks(FRAME_BYTES).map(framed).collect());
    let mut next_id = 0u64;
    Fleet::run(n, |clock| {
        next_id += 1;
        let call_id = format!("floor-{next_id:08}");
        run_session(port, call_id, frames.clone(), clock)
    })
    .await
}

/// `payload` behind its 4-byte length.
pub fn framed(payload: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(4 + payload.len());
    message.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    message.extend_from_slice(payload);
    message
}

/// A message of `wire_bytes` in all, its payload starting with `first`.
pub fn message(first: &[u8], wire_bytes: usize) -> Vec<u8> {
    let mut payload = vec![b' '; wire_bytes.saturating_sub(4).max(first.len())];
    payload[..first.len()].copy_from_slice(first);
    framed(&payload)
}

async fn run_session(
    port: u16,
    call_id: String,
    frames: Arc<Vec<Vec<u8>>>,
    clock: FrameClock,
) -> SessionOutcome {
    let started = Instant::now();
    let mut outcome = SessionOutcome::new();
    let session = async {
        let mut signalling = open(port, b'S', &call_id, &SIGNALLING_HANDSHAKE).await?;
        let mut audio = Some(open(port, b'A', &call_id, &AUDIO_HANDSHAKE).await?);
        let mut payload = Vec::new();
        let mut audio_leg = None;
        let mut seq = 0;
        loop {
            read_message(&mut signalling, &mut payload).await?;
            seq += 1;
            let kind = payload.first().copied().unwrap_or(OTHER_EVENT);
            outcome.received.push(Received {
                call_id: call_id.clone(),
                seq,
                event: (kind as char).into(),
                unix_ns: unix_now_ns(),
            });
            match kind {
                CONSUMER_READY => {
                    outcome.setup = Some(started.elapsed());
                    signalling
                        .get_mut()
                        .write_all(&message(b"", ENGINE_PONG))
                        .await?;
                    let socket = audio.take().expect("one consumer-ready").into_inner();
                    let (done, result_in) = oneshot::channel();
                    let leg =
                        tokio::spawn(live_audio(socket, frames.clone(), clock.clone(), result_in));
                    audio_leg = Some((leg, done));
                }
                RESULT => break,
                _ => {}
            }
        }
        if let Some((leg, done)) = audio_leg {
            let _ = done.send(());
            let _ = leg.await;
        }
        for size in SIGNALLING_CLOSE {
            signalling
                .get_mut()
                .write_all(&message(&[CLOSE_KIND], size))
                .await?;
        }
        Ok::<(), std::io::Error>(())
    };
    outcome.result = match tokio::time::timeout(SESSION_TIMEOUT, session).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".into()),
    };
    outcome.lifetime = started.elapsed();
    outcome
}

/// Connects and runs the handshake's round trips; the first message names the leg and call.
async fn open(
    port: u16,
    leg: u8,
    call_id: &str,
    handshake: &[(usize, usize)],
) -> std::io::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::with_capacity(1024, stream);
    let mut first = vec![leg];
    first.extend_from_slice(call_id.as_bytes());
    first.push(b' ');
    let mut reply = Vec::new();
    for (index, (sent, _)) in handshake.iter().enumerate() {
        let head: &[u8] = if index == 0 { &first } else { b"" };
        reader.get_mut().write_all(&message(head, *sent)).await?;
        read_message(&mut reader, &mut reply).await?;
    }
    Ok(reader)
}

/// Reads one length-prefixed message into `payload`.
pub async fn read_message<R: AsyncReadExt + Unpin>(
    reader: &mut R,
    payload: &mut Vec<u8>,
) -> std::io::Result<()> {
    let length = reader.read_u32().await? as usize;
    payload.resize(length, 0);
    reader.read_exact(payload).await?;
    Ok(())
}

/// The audio leg from `info-consumer-ready`: a frame at each deadline, AudioHook's pings
/// and their pongs, and the closing message once the result is in.
async fn live_audio(
    socket: TcpStream,
    frames: Arc<Vec<Vec<u8>>>,
    clock: FrameClock,
    mut result_in: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let (reader, mut writer) = socket.into_split();
    let mut reader = BufReader::with_capacity(1024, reader);
    let ping = message(&[PING_KIND], PING);
    let start = Instant::now();
    let mut next_frame = 0;
    let mut next_ping = start + FIRST_PING;
    let mut pongs = 0;
    // Pongs are counted by their size: `fill_buf` may be cancelled by the other branches,
    // a half-read message could not.
    let mut unread = 0;
    loop {
        let frame_due = start + FRAME * next_frame as u32;
        tokio::select! {
            _ = tokio::time::sleep_until(frame_due), if next_frame < frames.len() => {
                clock.tick(frame_due.into_std());
                writer.write_all(&frames[next_frame]).await?;
                next_frame += 1;
            }
            _ = tokio::time::sleep_until(next_ping) => {
                next_ping = Instant::now() + PING_INTERVAL;
                writer.write_all(&ping).await?;
            }
            filled = reader.fill_buf() => {
                let read = filled?.len();
                if read == 0 {
                    return Ok(());
                }
                reader.consume(read);
                unread += read;
                while unread >= PONG {
                    unread -= PONG;
                    pongs += 1;
                    if pongs == 1 {
                        writer.write_all(&ping).await?;
                    }
                }
            }
            _ = &mut result_in => return close(&mut writer).await,
        }
    }
}

async fn close(writer: &mut OwnedWriteHalf) -> std::io::Result<()> {
    writer.write_all(&message(&[CLOSE_KIND], AUDIO_CLOSE)).await
}
