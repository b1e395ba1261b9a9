#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| das_fuzz_targets::eio_packet(data));
