//! The floor's server (`--serve floor SCHEDULE`, a child process): answers each connection's
//! handshake and pings, joins a session's two connections by call id, emits the recorded
//! events on the signalling one at their recorded times, and discards the audio.

use std::collections::HashMap;
use std::io::BufRead;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::floor::{
    message, read_message, Schedule, AUDIO_HANDSHAKE, CONSUMER_READY, FRAME_BYTES_ON_WIRE,
    OTHER_EVENT, PING_KIND, PONG, RESULT, SIGNALLING_HANDSHAKE,
};

/// Signalling connections waiting for their audio connection, by call id.
type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<()>>>>;

pub async fn serve(schedule: Schedule) {
    let listener = das::listen::listen(SocketAddr::from(([127, 0, 0, 1], 0))).expect("listen");
    println!("{}", listener.local_addr().expect("address").port());
    let schedule = Arc::new(schedule);
    let waiting = Waiting::default();
    let accepting = async {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(connection(stream, schedule.clone(), waiting.clone()));
        }
    };
    // Runs until the bench closes our stdin (or exits).
    let stdin = tokio::task::spawn_blocking(|| std::io::stdin().lock().lines().count());
    tokio::select! {
        _ = accepting => {}
        _ = stdin => {}
    }
}

async fn connection(stream: TcpStream, schedule: Arc<Schedule>, waiting: Waiting) {
    let _ = stream.set_nodelay(true);
    let mut stream = BufReader::with_capacity(2048, stream);
    let mut first = Vec::new();
    if read_message(&mut stream, &mut first).await.is_err() || first.len() < 2 {
        return;
    }
    let call_id = String::from_utf8_lossy(&first[1..])
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    let _ = match first[0] {
        b'S' => signalling(stream, call_id, &schedule, &waiting).await,
        b'A' => audio(stream, call_id, &waiting).await,
        _ => Ok(()),
    };
}

/// Answers the handshake (its first message already read), then waits for the audio leg and
/// emits the recorded events at their recorded times after the first.
async fn signalling(
    mut stream: BufReader<TcpStream>,
    call_id: String,
    schedule: &Schedule,
    waiting: &Waiting,
) -> std::io::Result<()> {
    let (joined, audio_arrived) = oneshot::channel();
    waiting.lock().expect("waiting").insert(call_id, joined);
    answer_handshake(&mut stream, &SIGNALLING_HANDSHAKE).await?;
    if audio_arrived.await.is_err() {
        return Ok(());
    }
    let start = Instant::now();
    let last = schedule.events().len() - 1;
    for (index, (at, size)) in schedule.events().iter().enumerate() {
        tokio::time::sleep_until(start + *at).await;
        let kind = match index {
            0 => CONSUMER_READY,
            i if i == last => RESULT,
            _ => OTHER_EVENT,
        };
        stream.get_mut().write_all(&message(&[kind], *size)).await?;
    }
    // The Engine.IO pong and the closing messages, until the client hangs up.
    let mut payload = Vec::new();
    while read_message(&mut stream, &mut payload).await.is_ok() {}
    Ok(())
}

/// Answers the handshake, joins the signalling leg, then takes audio and answers pings.
async fn audio(
    mut stream: BufReader<TcpStream>,
    call_id: String,
    waiting: &Waiting,
) -> std::io::Result<()> {
    answer_handshake(&mut stream, &AUDIO_HANDSHAKE).await?;
    if let Some(joined) = waiting.lock().expect("waiting").remove(&call_id) {
        let _ = joined.send(());
    }
    let pong = message(b"", PONG);
    let mut payload = Vec::new();
    while read_message(&mut stream, &mut payload).await.is_ok() {
        if payload.len() + 4 != FRAME_BYTES_ON_WIRE && payload.first() == Some(&PING_KIND) {
            stream.get_mut().write_all(&pong).await?;
        }
    }
    Ok(())
}

/// The server's side of the round trips; the client's first message is already read.
async fn answer_handshake(
    stream: &mut BufReader<TcpStream>,
    handshake: &[(usize, usize)],
) -> std::io::Result<()> {
    let mut payload = Vec::new();
    for (index, (_, answer)) in handshake.iter().enumerate() {
        if index > 0 {
            read_message(stream, &mut payload).await?;
        }
        stream.get_mut().write_all(&message(b"", *answer)).await?;
    }
    Ok(())
}
