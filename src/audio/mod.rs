//! Audio primitives for the audio channel: telephony codecs and channel layout.
//! Everything here is pure computation on sample buffers; no I/O, no clocks.

pub mod channels;
pub mod codec;
pub mod g711;
