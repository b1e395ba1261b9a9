//! The emulated analysis on the committed speech samples: real VAD finds the voice, and
//! the voiceprint ranks the same speaker above a different one.

use das::audio::wav::Wav;
use das_emulator::VoiceAnalyzer;

fn analyse(name: &str) -> VoiceAnalyzer {
    let path = format!("{}/../samples/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let wav = Wav::parse(&bytes).unwrap();
    let mono: Vec<i16> = wav
        .samples
        .iter()
        .step_by(usize::from(wav.channels))
        .copied()
        .collect();
    let mut analyzer = VoiceAnalyzer::new(wav.sample_rate, 0.5);
    for chunk in mono.chunks(160) {
        analyzer.push(chunk);
    }
    analyzer
}

#[test]
fn speech_samples_are_mostly_voiced_and_authentic() {
    for name in [
        "speaker-a.wav",
        "speaker-a-verify.wav",
        "speaker-b.wav",
        "speaker-a-16k.wav",
    ] {
        let a = analyse(name);
        eprintln!(
            "{name}: {:.2}s audio, {:.2}s voiced, authenticity {}",
            a.audio_seconds(),
            a.voiced_seconds(),
            a.authenticity()
        );
        assert!(a.voiced_seconds() > 0.4 * a.audio_seconds(), "{name}");
        assert!(a.authenticity() >= 0.8, "{name}");
    }
}

#[test]
fn same_speaker_scores_higher_than_a_different_one() {
    let enrolled = analyse("speaker-a.wav").voiceprint().unwrap();
    let same = analyse("speaker-a-verify.wav").voiceprint().unwrap();
    let wideband = analyse("speaker-a-16k.wav").voiceprint().unwrap();
    let other = analyse("speaker-b.wav").voiceprint().unwrap();
    let (s_same, s_wide, s_other) = (
        enrolled.similarity(&same),
        enrolled.similarity(&wideband),
        enrolled.similarity(&other),
    );
    eprintln!("same {s_same:.3}  16k {s_wide:.3}  other {s_other:.3}");
    assert!(s_same > s_other);
    assert!(s_wide > s_other);
}

#[test]
fn white_noise_is_not_authentic() {
    let mut state = 0x1234_5678u32;
    let noise: Vec<i16> = (0..8000 * 4)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 20) as i16 - 2048
        })
        .collect();
    let mut analyzer = VoiceAnalyzer::new(8000, 0.0);
    analyzer.push(&noise);
    assert!(analyzer.authenticity() < 0.8, "{}", analyzer.authenticity());
}
