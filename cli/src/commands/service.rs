//! Resolving where a session goes: the service named by the flags, or the embedded
//! emulator started in-process when no `--url` is given.

use das::audiohook::secret::ClientSecret;
use das::auth::TokenProvider;
use das::channel::{AudioChannelConfig, ProtocolConfig};
use das::proxy::ProxySetting;
use das::tls::TlsOptions;
use das::twilio::TwilioMode;
use das_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use url::Url;
use uuid::Uuid;

use crate::args::{Protocol, ServiceArgs};
use crate::exit::{CliError, Exit, OrExit};

/// A resolved service: where to signal, how to authenticate, where audio goes.
pub struct Service {
    pub url: String,
    pub token: TokenProvider,
    /// `None` for a signalling-only session against a service named by `--url`.
    audio_url: Option<Url>,
    audiohook_api_key: String,
    audiohook_secret: ClientSecret,
    /// Roots trusted by every connection of the session.
    pub tls: TlsOptions,
    pub proxy: ProxySetting,
    /// Kept alive for the session; shut down by [`Service::close`].
    emulator: Option<EmulatorHandle>,
}

impl Service {
    /// `with_audio`: the session opens an audio channel, so a service named by `--url`
    /// needs `--audio-url`.
    pub async fn resolve(
        args: &ServiceArgs,
        protocol: Protocol,
        with_audio: bool,
    ) -> Result<Self, CliError> {
        let emulator = match args.url {
            Some(_) => None,
            None => Some(
                Emulator::start(EmulatorConfig::default())
                    .await
                    .or_exit(Exit::Failure, "cannot start the embedded emulator")?,
            ),
        };
        let (url, token_url, client_id, client_secret, audio_url, api_key, secret) = match &emulator
        {
            Some(emu) => (
                emu.socketio_url(),
                emu.token_url(),
                emu.client_id().to_owned(),
                emu.client_secret().to_owned(),
                Some(match protocol {
                    Protocol::Audiohook => emu.audiohook_url(),
                    Protocol::Twilio => emu.twilio_url(),
                }),
                emu.audiohook_api_key().to_owned(),
                emu.audiohook_client_secret().to_owned(),
            ),
            None => (
                args.url.clone().unwrap_or_default(),
                required(&args.token_url, "--token-url")?,
                required(&args.client_id, "--client-id")?,
                required(&args.client_secret, "--client-secret")?,
                if with_audio {
                    Some(required(&args.audio_url, "--audio-url")?)
                } else {
                    args.audio_url.clone()
                },
                args.audiohook_api_key.clone().unwrap_or_default(),
                args.audiohook_client_secret.clone().unwrap_or_default(),
            ),
        };
        let tls = args.tls.options()?;
        let proxy = args.tls.proxy()?;
        let token = TokenProvider::client_credentials(token_url, client_id, client_secret)
            .tls(tls.clone())
            .proxy(proxy.clone())
            .build()
            .or_exit(Exit::Usage, "invalid token settings")?;
        let audio_url = audio_url
            .map(|url| Url::parse(&url).or_exit(Exit::Usage, "invalid audio URL"))
            .transpose()?;
        let audiohook_secret = ClientSecret::from_base64(&secret)
            .or_exit(Exit::Usage, "the AudioHook client secret must be base64")?;
        Ok(Service {
            url,
            token,
            audio_url,
            audiohook_api_key: api_key,
            audiohook_secret,
            tls,
            proxy,
            emulator,
        })
    }

    pub fn is_emulator(&self) -> bool {
        self.emulator.is_some()
    }

    /// The audio channel for `protocol`, before codec/layout/pacing are set; `None` without
    /// an audio URL.
    pub fn audio_channel(&self, protocol: Protocol) -> Option<AudioChannelConfig> {
        let url = self.audio_url.clone()?;
        let protocol = match protocol {
            Protocol::Audiohook => ProtocolConfig::AudioHook {
                organization_id: Uuid::new_v4(),
                api_key: self.audiohook_api_key.clone(),
                client_secret: self.audiohook_secret.clone(),
                media_offers: None,
            },
            Protocol::Twilio => ProtocolConfig::Twilio {
                mode: TwilioMode::Subset,
            },
        };
        let mut channel = AudioChannelConfig::new(url, protocol);
        channel.tls = self.tls.clone();
        channel.proxy = self.proxy.clone();
        Some(channel)
    }

    pub async fn close(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

fn required(value: &Option<String>, flag: &str) -> Result<String, CliError> {
    value.clone().ok_or_else(|| {
        CliError::new(
            Exit::Usage,
            format!(
                "{flag} is required with --url (or leave --url out to use the embedded emulator)"
            ),
        )
    })
}
