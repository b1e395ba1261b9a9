//! G.711 throughput: µ-law and A-law decode/encode over 8 MiB buffers with the same
//! `Codec::decode_into`/`encode_into` the audio channel uses. Prints MB/s; run with
//! `cargo bench --bench codecs` (see benches/RESULTS.md).

use std::hint::black_box;
use std::time::{Duration, Instant};

use das::audio::codec::Codec;

const BYTES: usize = 8 << 20;
const BUDGET: Duration = Duration::from_secs(2);

/// Runs `work` repeatedly for about `BUDGET` and returns the best rate in MB/s of `bytes`.
fn measure(bytes: usize, mut work: impl FnMut()) -> f64 {
    work();
    let start = Instant::now();
    let mut best = f64::MAX;
    while start.elapsed() < BUDGET {
        let t = Instant::now();
        work();
        best = best.min(t.elapsed().as_secs_f64());
    }
    bytes as f64 / best / 1e6
}

fn main() {
    let codes: Vec<u8> = (0..BYTES).map(|n| (n * 131 % 256) as u8).collect();
    let samples: Vec<i16> = (0..BYTES)
        .map(|n| ((n * 7919) % 65536) as u16 as i16)
        .collect();
    let mut linear = Vec::with_capacity(BYTES);
    let mut wire = Vec::with_capacity(BYTES);
    for codec in [Codec::Mulaw, Codec::Alaw] {
        // Decode throughput counts output bytes (2 per sample), the figure the target names.
        let decode = measure(BYTES * 2, || {
            linear.clear();
            codec.decode_into(black_box(&codes), &mut linear);
            black_box(&linear);
        });
        let encode = measure(BYTES * 2, || {
            wire.clear();
            codec.encode_into(black_box(&samples), &mut wire);
            black_box(&wire);
        });
        println!("{codec:>5} decode {decode:>8.0} MB/s of output samples   encode {encode:>8.0} MB/s of input samples");
    }
}
