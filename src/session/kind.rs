//! Register or verify: what a session does, and the names that follow from it.

/// Registration (enrol a speaker) or verification (compare against a credential).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// Enrol a speaker: the result carries a `credential`.
    Register,
    /// Compare a speaker with a `credential`: the result carries a `score`.
    Verify,
}

impl SessionKind {
    /// Default namespace: `/socket.io/register`; `/socket.io/verify` by analogy (undocumented).
    pub fn default_namespace(self) -> &'static str {
        match self {
            Self::Register => "/socket.io/register",
            Self::Verify => "/socket.io/verify",
        }
    }

    /// Key of the request object in the `initialize` payload.
    pub fn request_key(self) -> &'static str {
        match self {
            Self::Register => "register_request",
            Self::Verify => "verify_request",
        }
    }

    /// `register` or `verify`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Verify => "verify",
        }
    }
}
