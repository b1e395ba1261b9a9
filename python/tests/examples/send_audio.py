"""What the example's "Start sending audio" branch does: stream a WAV file over das.AudioChannel
in a background thread when EXAMPLE_AUDIO_URL is set (the signalling peer may need none)."""

import os
import threading

CALL_ID = "888806c3-3391-4d73-bb86-e5874e6ed5b4"


def send_audio() -> None:
    url = os.environ.get("EXAMPLE_AUDIO_URL")
    if not url:
        return

    def stream() -> None:
        import das

        protocol = os.environ.get("EXAMPLE_AUDIO_PROTOCOL", "audiohook")
        with das.AudioChannel(url, protocol, call_id=CALL_ID, realtime=False,
                              api_key=os.environ.get("EXAMPLE_AUDIOHOOK_API_KEY"),
                              client_secret=os.environ.get("EXAMPLE_AUDIOHOOK_SECRET")) as channel:
            try:
                channel.send_wav(os.environ["EXAMPLE_WAV"])
            except das.Closed:
                pass  # the service closes the audio socket once it has enough audio

    threading.Thread(target=stream, daemon=True).start()
