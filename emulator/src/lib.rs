//! A local das-Peak Streaming + CPqD TRD service: token endpoint, Socket.IO signalling,
//! AudioHook and Twilio audio consumers with real VAD, and TRD webhook endpoints.
