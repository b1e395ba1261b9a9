//! Audio primitives for the audio channel: telephony codecs, channel layout, WAV input and
//! streamed WAV output, resampling, real-time pacing and the bounded send buffer between application and wire.

pub mod channels;
pub mod codec;
pub mod g711;
pub mod pacing;
pub mod pump;
pub mod resample;
pub mod send_buffer;
pub mod wav;
pub mod wav_writer;
