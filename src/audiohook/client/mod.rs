//! The AudioHook client (the Genesys side): connects with signed headers, runs the open
//! transaction, streams the application's audio paced and interleaved in the selected
//! channel order, and closes. [`ClientSession`] is the handle the application holds.

mod config;
mod connect;
mod driver;
mod error;
mod layout;
mod rtt;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use config::ClientConfig;
pub use error::{ClientEnd, ClientError};
pub use layout::Layout;
pub use rtt::RttLog;

use crate::audio::pump::{PacedFrames, PumpConfig};
use crate::audio::send_buffer::{Counters, PushError, SendBuffer};
use crate::audiohook::duration::StreamDuration;
use crate::audiohook::messages::{
    ClientBody, EventEntity, Gap, MediaParameter, OpenedParameters, Participant, SAMPLE_RATE,
};
use driver::{Command, Driver};

/// A live AudioHook client session.
#[derive(Debug)]
pub struct ClientSession {
    buffer: SendBuffer,
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::Receiver<Vec<EventEntity>>,
    opened: OpenedParameters,
    rtts: RttLog,
    task: Option<JoinHandle<Result<ClientEnd, ClientError>>>,
}

impl ClientSession {
    /// Connects, sends `open` for `conversation_id` and waits for `opened`. Fails with
    /// [`ClientError::NoMediaSelected`] when the server selects nothing (use
    /// [`ClientSession::probe`] for a media-less session).
    pub async fn open(
        config: ClientConfig,
        conversation_id: Uuid,
    ) -> Result<ClientSession, ClientError> {
        let buffer = SendBuffer::new(config.buffer_bytes);
        Self::open_with_buffer(config, conversation_id, buffer).await
    }

    /// [`open`](Self::open), streaming from `buffer` (the audio session's own), so audio
    /// goes from the application's push to the wire without a copy in between.
    pub(crate) async fn open_with_buffer(
        config: ClientConfig,
        conversation_id: Uuid,
        buffer: SendBuffer,
    ) -> Result<ClientSession, ClientError> {
        let session = Self::start(config, conversation_id, buffer).await?;
        if session.opened.media.is_empty() {
            session.buffer.finish();
            let _ = session.ended().await;
            return Err(ClientError::NoMediaSelected);
        }
        Ok(session)
    }

    /// Genesys' connection probe: `open` with nil conversation and participant ids, then an
    /// immediate close transaction. Succeeds when the server answers `opened` and `closed`.
    pub async fn probe(mut config: ClientConfig) -> Result<(), ClientError> {
        config.participant = Participant::default();
        let buffer = SendBuffer::new(config.buffer_bytes);
        let session = Self::start(config, Uuid::nil(), buffer).await?;
        session.finish().await.map(|_| ())
    }

    async fn start(
        config: ClientConfig,
        conversation_id: Uuid,
        buffer: SendBuffer,
    ) -> Result<ClientSession, ClientError> {
        if config.input_channels.is_empty() || config.input_channels.len() > 2 {
            return Err(ClientError::Config(
                "input needs one or two channels".into(),
            ));
        }
        let mut ws = connect::upgrade(&config).await?;
        let opened = connect::open(&mut ws, &config, conversation_id).await?;
        let selected = opened.media.first().cloned();
        let layout = selected
            .map(|media| Layout::new(config.input_format, config.input_channels.clone(), media));
        let (events_tx, events) = mpsc::channel(driver::EVENT_QUEUE);
        let mut driver = Driver::new(ws, &config, buffer.clone(), layout, events_tx);
        let rtts = driver.rtts.clone();
        // discardTo: skip whole frames up to that position, then report the gap.
        if let Some(discard_to) = opened.discard_to {
            let frame_samples = (config.frame_bytes() / config.input_frame_bytes()) as u64;
            driver.discard_until = discard_to.samples(SAMPLE_RATE) / frame_samples * frame_samples;
        }
        let start_paused = opened.start_paused == Some(true);
        if start_paused {
            // Paused before the driver starts, so not even the first frame slips out.
            driver.server_paused = true;
        }
        let discard_until = driver.discard_until;
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let frames = PacedFrames::new(
            buffer.clone(),
            PumpConfig {
                frame_bytes: config.frame_bytes(),
                sample_bytes: config.input_frame_bytes(),
                sample_rate: SAMPLE_RATE,
                pacing: config.pacing,
            },
        );
        let task = tokio::spawn(async move {
            if start_paused {
                driver.server_paused = true;
                driver.pause_start = 0;
                driver
                    .send_initial(ClientBody::Paused(Default::default()))
                    .await?;
            }
            if discard_until > 0 {
                let gap = Gap {
                    start: StreamDuration::ZERO,
                    discarded: StreamDuration::from_samples(discard_until, SAMPLE_RATE),
                };
                driver.send_initial(ClientBody::Discarded(gap)).await?;
            }
            driver.run(frames, commands_rx).await
        });
        Ok(ClientSession {
            buffer,
            commands,
            events,
            opened,
            rtts,
            task: Some(task),
        })
    }

    /// The server's `opened` parameters.
    pub fn opened(&self) -> &OpenedParameters {
        &self.opened
    }

    /// The media the server selected.
    pub fn selected_media(&self) -> Option<&MediaParameter> {
        self.opened.media.first()
    }

    /// Queues audio (input codec and channel order, whole samples) without waiting.
    pub fn push(&self, audio: &[u8]) -> Result<(), PushError> {
        self.buffer.push(audio)
    }

    /// Queues audio, waiting for room in the send buffer.
    pub async fn push_wait(&self, audio: &[u8]) -> Result<(), PushError> {
        self.buffer.push_wait(audio).await
    }

    /// Client-initiated pause (`paused`); audio pushed meanwhile is discarded in real-time
    /// pacing and held back when pacing as fast as possible.
    pub fn pause(&self) {
        let _ = self.commands.send(Command::Pause);
    }

    /// Ends a client-initiated pause (`resumed` with the gap).
    pub fn resume(&self) {
        let _ = self.commands.send(Command::Resume);
    }

    /// Sends `update` with a new language.
    pub fn update_language(&self, language: impl Into<String>) {
        let _ = self.commands.send(Command::Update(language.into()));
    }

    /// Reports an error to the server (`error` message) without ending the session.
    pub fn report_error(&self, code: u16, message: impl Into<String>) {
        let _ = self.commands.send(Command::Error {
            code,
            message: message.into(),
        });
    }

    /// The next `event` entities the server sent, if any arrived. Up to 64 unread events are
    /// kept (Genesys itself ignores them); later ones are dropped with a warning.
    pub fn try_next_event(&mut self) -> Option<Vec<EventEntity>> {
        self.events.try_recv().ok()
    }

    /// The ping round trips measured so far; the handle stays readable after
    /// [`finish`](Self::finish).
    pub fn rtts(&self) -> RttLog {
        self.rtts.clone()
    }

    /// Send-buffer counters.
    pub fn counters(&self) -> Counters {
        self.buffer.counters()
    }

    /// Sends what is queued, runs the close transaction (`end`), and reports how the
    /// session ended. A server `disconnect` earlier yields [`ClientEnd::ConsumerClosed`].
    /// Finishing while paused closes at once; audio still queued is dropped.
    pub async fn finish(self) -> Result<ClientEnd, ClientError> {
        self.buffer.finish();
        let _ = self.commands.send(Command::Finish);
        self.ended().await
    }

    /// Waits for the session to end on its own: the buffer's owner finishes or closes the
    /// audio, or the server ends the stream.
    pub(crate) async fn ended(mut self) -> Result<ClientEnd, ClientError> {
        match self.task.take() {
            Some(task) => task
                .await
                .unwrap_or_else(|e| Err(ClientError::ConnectionLost(e.to_string()))),
            None => Ok(ClientEnd::Finished),
        }
    }
}

impl Drop for ClientSession {
    /// Dropping the handle ends the audio; the session then closes on its own.
    fn drop(&mut self) {
        self.buffer.finish();
    }
}
