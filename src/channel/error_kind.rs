//! What kind of failure an audio channel's is: every surface (the session's `audio-ended`
//! event, the CLI's exit codes) maps these, not the variants of each protocol's error.

use super::ChannelError;
use crate::audiohook::client::ClientError;
use crate::proxy::ProxyError;
use crate::twilio::TwilioError;

/// The class of a [`ChannelError`], [`ClientError`] or [`TwilioError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelErrorKind {
    /// The consumer refused the credentials (AudioHook `unauthorized`, HTTP 401/403 at the
    /// upgrade): opening the channel again with them fails too.
    Auth,
    /// The consumer refused the stream: another 4xx at the upgrade, no media selected, an
    /// AudioHook `disconnect` with an error.
    Rejected,
    /// The consumer or the proxy could not be reached, stayed silent (a 5xx at the upgrade
    /// included), or the connection was lost or stalled.
    Network,
    /// The consumer's certificate was refused, or the trusted roots are unusable.
    Tls,
    /// The proxy refused the tunnel (HTTP 407, 403, 5xx, a SOCKS5 refusal).
    Proxy,
    /// Settings the protocol cannot carry (codec, rate, channels, `call_id`, proxy URL).
    Config,
    /// The consumer broke the protocol.
    Protocol,
}

impl ChannelErrorKind {
    /// The name used in the `audio-ended` event's `error_kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Rejected => "rejected",
            Self::Network => "network",
            Self::Tls => "tls",
            Self::Proxy => "proxy",
            Self::Config => "config",
            Self::Protocol => "protocol",
        }
    }

    fn of_upgrade_status(status: u16) -> Self {
        match status {
            401 | 403 => Self::Auth,
            500..=599 => Self::Network,
            _ => Self::Rejected,
        }
    }

    fn of_proxy(error: &ProxyError) -> Self {
        match error {
            ProxyError::InvalidUrl(_) => Self::Config,
            ProxyError::Timeout { .. } => Self::Network,
            _ => Self::Proxy,
        }
    }
}

impl ChannelError {
    /// The class of this error.
    pub fn kind(&self) -> ChannelErrorKind {
        match self {
            ChannelError::Config(_) => ChannelErrorKind::Config,
            ChannelError::AudioHook(error) => error.kind(),
            ChannelError::Twilio(error) => error.kind(),
        }
    }
}

impl ClientError {
    /// The class of this error.
    pub fn kind(&self) -> ChannelErrorKind {
        match self {
            ClientError::Config(_) => ChannelErrorKind::Config,
            ClientError::Tls(_) => ChannelErrorKind::Tls,
            ClientError::Proxy(proxy) => ChannelErrorKind::of_proxy(proxy),
            ClientError::Rejected(status) => ChannelErrorKind::of_upgrade_status(*status),
            ClientError::Unauthorized(_) => ChannelErrorKind::Auth,
            ClientError::NoMediaSelected | ClientError::ServerError(_) => {
                ChannelErrorKind::Rejected
            }
            ClientError::Protocol(_) | ClientError::Message(_) => ChannelErrorKind::Protocol,
            ClientError::Connect(_)
            | ClientError::OpenTimeout
            | ClientError::PongTimeout
            | ClientError::CloseTimeout
            | ClientError::ConnectionLost(_)
            | ClientError::WriteStalled(_) => ChannelErrorKind::Network,
        }
    }
}

impl TwilioError {
    /// The class of this error.
    pub fn kind(&self) -> ChannelErrorKind {
        match self {
            TwilioError::Config(_) => ChannelErrorKind::Config,
            TwilioError::Tls(_) => ChannelErrorKind::Tls,
            TwilioError::Proxy(proxy) => ChannelErrorKind::of_proxy(proxy),
            TwilioError::Rejected(status) => ChannelErrorKind::of_upgrade_status(*status),
            TwilioError::Connect(_)
            | TwilioError::ConnectionLost(_)
            | TwilioError::WriteStalled(_) => ChannelErrorKind::Network,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChannelErrorKind::*;

    #[test]
    fn refused_credentials_a_refused_stream_and_an_unavailable_consumer_are_apart() {
        let audiohook = |error| ChannelError::AudioHook(error).kind();
        assert_eq!(audiohook(ClientError::Unauthorized("bad key".into())), Auth);
        assert_eq!(audiohook(ClientError::Rejected(403)), Auth);
        assert_eq!(audiohook(ClientError::Rejected(404)), Rejected);
        assert_eq!(audiohook(ClientError::Rejected(503)), Network);
        assert_eq!(audiohook(ClientError::NoMediaSelected), Rejected);
        assert_eq!(audiohook(ClientError::OpenTimeout), Network);
        assert_eq!(
            ChannelError::Twilio(TwilioError::Rejected(401)).kind(),
            Auth
        );
        assert_eq!(ChannelError::Config("A-law".into()).kind(), Config);
    }

    #[test]
    fn a_proxy_refusal_is_the_proxy_s_a_silent_proxy_the_network_s() {
        let refused = ProxyError::Refused {
            proxy: "http://127.0.0.1:3128".into(),
            target: "consumer:443".into(),
            status: 403,
            reason: "Forbidden".into(),
        };
        let silent = ProxyError::Timeout {
            proxy: "http://127.0.0.1:3128".into(),
            target: "consumer:443".into(),
            seconds: 10.0,
        };
        assert_eq!(ClientError::Proxy(refused).kind(), Proxy);
        assert_eq!(TwilioError::Proxy(silent).kind(), Network);
        let bad_url = ProxyError::InvalidUrl("ftp://x".into());
        assert_eq!(TwilioError::Proxy(bad_url).kind(), Config);
    }
}
