//! A registration from Rust, against the emulator: the README's Rust example as a program.
//!
//! `cargo run -p libdas-emulator --example register [file.wav]` (from the repository root).

use std::time::Duration;

use das::audiohook::secret::ClientSecret;
use das::auth::TokenProvider;
use das::channel::{AudioChannelConfig, ProtocolConfig};
use das::session::RegisterSession;
use das_emulator::{Emulator, EmulatorConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wav = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "samples/speaker-a.wav".into());
    let emulator = Emulator::start(EmulatorConfig::default()).await?;
    let (socketio_url, token_url, audiohook_url) = (
        emulator.socketio_url(),
        emulator.token_url(),
        emulator.audiohook_url(),
    );

    let token =
        TokenProvider::client_credentials(&token_url, "demo-client", "demo-secret-change-me")
            .build()?;
    let audio = AudioChannelConfig::new(
        audiohook_url.parse()?,
        ProtocolConfig::AudioHook {
            organization_id: uuid::Uuid::new_v4(),
            api_key: "demo-audiohook-key".into(),
            client_secret: ClientSecret::from_base64("ZGVtby1hdWRpb2hvb2stc2VjcmV0")?,
            media_offers: None,
        },
    );
    let mut session = RegisterSession::builder(&socketio_url, token)
        .audio_channel(audio)
        .start()
        .await?;
    let sender = session.audio(); // cloneable; push, push_wait, push_wav, end
    tokio::spawn(async move {
        sender.push_wav(wav).await.ok();
        sender.end();
    });
    while let Some(event) = session.next_event(Duration::from_secs(30)).await? {
        println!("{} {}", event.name(), event.data());
        // The result, an error or a failure: no result can follow.
        if event.is_final() {
            break;
        }
    }
    session.close().await;

    emulator.shutdown().await;
    Ok(())
}
