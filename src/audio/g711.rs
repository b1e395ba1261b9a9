//! ITU-T G.711 µ-law and A-law, bit-exact with the reference (Sun `g711.c`) tables.
//!
//! Decoding goes through 256-entry tables built at compile time; encoding is branch-light
//! arithmetic on the segment (exponent) found with `leading_zeros`.

const ULAW_BIAS: i32 = 0x84;
const ULAW_CLIP: i32 = 32635;

/// Encodes one linear PCM16 sample as µ-law.
#[inline]
pub fn ulaw_encode(sample: i16) -> u8 {
    let (magnitude, mask) = if sample < 0 {
        ((-(sample as i32)).min(ULAW_CLIP), 0x7F)
    } else {
        ((sample as i32).min(ULAW_CLIP), 0xFF)
    };
    let biased = (magnitude + ULAW_BIAS) as u32; // 132..=32767: top bit is bit 7..=14
    let exponent = (31 - biased.leading_zeros()) - 7;
    let mantissa = (biased >> (exponent + 3)) & 0x0F;
    (((exponent << 4) | mantissa) as u8) ^ mask
}

const fn ulaw_decode_const(code: u8) -> i16 {
    let inverted = !code;
    let exponent = ((inverted >> 4) & 0x07) as i32;
    let mantissa = (inverted & 0x0F) as i32;
    let magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
    if inverted & 0x80 != 0 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

/// Encodes one linear PCM16 sample as A-law.
#[inline]
pub fn alaw_encode(sample: i16) -> u8 {
    let value = (sample as i32) >> 3; // A-law works on 13 bits
    let (magnitude, mask) = if value >= 0 {
        (value, 0xD5u8)
    } else {
        (-value - 1, 0x55u8)
    };
    if magnitude > 0xFFF {
        return 0x7F ^ mask;
    }
    // Segment 0 and 1 share a step size; above that each segment doubles it.
    let segment = (32 - (magnitude as u32 | 0x1F).leading_zeros()).saturating_sub(5);
    let mantissa = if segment < 2 {
        (magnitude >> 1) & 0x0F
    } else {
        (magnitude >> segment) & 0x0F
    };
    (((segment << 4) as i32 | mantissa) as u8) ^ mask
}

const fn alaw_decode_const(code: u8) -> i16 {
    let value = code ^ 0x55;
    let segment = ((value & 0x70) >> 4) as i32;
    let mut magnitude = ((value & 0x0F) as i32) << 4;
    magnitude = match segment {
        0 => magnitude + 8,
        1 => magnitude + 0x108,
        _ => (magnitude + 0x108) << (segment - 1),
    };
    if value & 0x80 != 0 {
        magnitude as i16
    } else {
        -magnitude as i16
    }
}

/// Builds a 256-entry decode table from a `const fn` (function pointers cannot be
/// called in const context, hence a macro).
macro_rules! decode_table {
    ($decode:ident) => {{
        let mut table = [0i16; 256];
        let mut code = 0;
        while code < 256 {
            table[code] = $decode(code as u8);
            code += 1;
        }
        table
    }};
}

static ULAW_TABLE: [i16; 256] = decode_table!(ulaw_decode_const);
static ALAW_TABLE: [i16; 256] = decode_table!(alaw_decode_const);

/// Decodes one µ-law byte.
#[inline]
pub fn ulaw_decode(code: u8) -> i16 {
    ULAW_TABLE[code as usize]
}

/// Decodes one A-law byte.
#[inline]
pub fn alaw_decode(code: u8) -> i16 {
    ALAW_TABLE[code as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulaw_reference_values() {
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(ulaw_decode(0xFF), 0);
        assert_eq!(ulaw_decode(0x7F), 0);
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(ulaw_encode(i16::MAX), 0x80);
        assert_eq!(ulaw_encode(i16::MIN), 0x00);
    }

    #[test]
    fn alaw_reference_values() {
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0xAA), 32256);
        assert_eq!(alaw_decode(0x2A), -32256);
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(alaw_encode(i16::MAX), 0xAA);
        assert_eq!(alaw_encode(i16::MIN), 0x2A);
    }

    #[test]
    fn every_code_survives_a_round_trip() {
        for code in 0..=255u8 {
            // 0x7F is µ-law's negative zero; it decodes to 0, which encodes as 0xFF.
            if code != 0x7F {
                assert_eq!(ulaw_encode(ulaw_decode(code)), code, "µ-law {code:#04x}");
            }
            assert_eq!(alaw_encode(alaw_decode(code)), code, "A-law {code:#04x}");
        }
    }

    #[test]
    fn digital_milliwatt_sequences_are_one_symmetric_period() {
        // ITU-T G.711 digital milliwatt (1 kHz at 8 kHz): µ-law and A-law byte patterns.
        let ulaw = [0x1E, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E];
        let alaw = [0x34, 0x21, 0x21, 0x34, 0xB4, 0xA1, 0xA1, 0xB4];
        let from_ulaw: Vec<i16> = ulaw.iter().map(|&c| ulaw_decode(c)).collect();
        let from_alaw: Vec<i16> = alaw.iter().map(|&c| alaw_decode(c)).collect();
        for half in 0..4 {
            assert_eq!(from_ulaw[half], -from_ulaw[half + 4]);
            assert_eq!(from_alaw[half], -from_alaw[half + 4]);
            let diff = (from_ulaw[half] as i32 - from_alaw[half] as i32).abs();
            assert!(
                diff < 300,
                "codecs disagree at {half}: {from_ulaw:?} vs {from_alaw:?}"
            );
        }
        let reencoded: Vec<u8> = from_ulaw.iter().map(|&s| ulaw_encode(s)).collect();
        assert_eq!(reencoded, ulaw);
    }

    #[test]
    fn audiohook_tone_pattern_encodes_a_1khz_sine() {
        // The AudioHook reference implementation's 1 kHz test tone, one period of µ-law.
        let pattern = [0xFF, 0x0D, 0x06, 0x0D, 0xFF, 0x8D, 0x86, 0x8D];
        let peak = ulaw_decode(0x86) as f64;
        let sine: Vec<u8> = (0..8)
            .map(|n| {
                let phase = -(n as f64) * std::f64::consts::TAU / 8.0;
                ulaw_encode((peak * phase.sin()).round() as i16)
            })
            .collect();
        assert_eq!(sine, pattern);
    }

    #[test]
    fn encoding_is_monotonic() {
        let mut last = ulaw_decode(ulaw_encode(i16::MIN));
        for sample in (i16::MIN..=i16::MAX).step_by(7) {
            let decoded = ulaw_decode(ulaw_encode(sample));
            assert!(decoded >= last);
            assert!((decoded as i32 - sample as i32).abs() <= 1024);
            last = decoded;
        }
        let mut last = alaw_decode(alaw_encode(i16::MIN));
        for sample in (i16::MIN..=i16::MAX).step_by(7) {
            let decoded = alaw_decode(alaw_encode(sample));
            assert!(decoded >= last);
            last = decoded;
        }
    }
}
