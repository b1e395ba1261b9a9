#!/usr/bin/env bash
# Regenerates the committed speech samples. Needs espeak-ng and sox (Debian packages of the same
# names). The WAVs are committed, so nothing else in the project runs this script.
#
#   speaker-a.wav          8 kHz µ-law mono, voice en-us+m3 (registration sample)
#   speaker-a-verify.wav   8 kHz µ-law mono, voice en-us+m3, different words (same speaker)
#   speaker-b.wav          8 kHz µ-law mono, voice en-gb+f4 (a different speaker)
#   call-stereo.wav        8 kHz PCM16 stereo: left/external = speaker A, right/internal = speaker B
#   speaker-a-16k.wav      16 kHz PCM16 mono copy of speaker A (exercises resampling)
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

text_a="My voice is my password. I am calling about my account, the one I opened last spring.
Please verify my identity so that I can check the balance and the recent payments.
The weather was lovely today and I walked the dog along the river before work."
text_a2="Good afternoon. I would like to change the address on my card, because I moved
to a new flat near the station. Could you also tell me when the next statement arrives?"
text_b="Hello, this is the agent speaking. Thank you for calling customer service today.
I can help you with that request as soon as your voice has been confirmed by the system."

speak() { # voice pitch speed text out
    espeak-ng -v "$1" -p "$2" -s "$3" -w "$tmp/raw.wav" "$4"
    sox "$tmp/raw.wav" -r 8000 -c 1 "$5"
}
speak en-us+m3 40 150 "$text_a" "$tmp/a.wav"
speak en-us+m3 40 150 "$text_a2" "$tmp/a2.wav"
speak en-gb+f4 70 160 "$text_b" "$tmp/b.wav"

sox "$tmp/a.wav" -e u-law -b 8 speaker-a.wav
sox "$tmp/a2.wav" -e u-law -b 8 speaker-a-verify.wav
sox "$tmp/b.wav" -e u-law -b 8 speaker-b.wav
sox "$tmp/a.wav" -r 16000 -e signed -b 16 speaker-a-16k.wav
sox -M "$tmp/a.wav" "$tmp/b.wav" -e signed -b 16 call-stereo.wav
for f in *.wav; do printf '%-22s %s\n' "$f" "$(soxi -d "$f") $(soxi -r "$f") Hz $(soxi -c "$f") ch $(soxi -e "$f")"; done
