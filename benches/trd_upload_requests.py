"""The upload as trd-sdk-python's TranscriptionApi.create makes it (requests, `files=` with the
open file, `data={"config": [...]}`), measured like the das client of benches/trd_upload.rs:
seconds, RSS just before the upload and peak RSS after it, as one JSON line.

    python benches/trd_upload_requests.py http://127.0.0.1:PORT/trd/v3 FILE
"""

import json
import sys
import time

import requests


def status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def main() -> None:
    url, path = sys.argv[1], sys.argv[2]
    session = requests.Session()
    before = status_kib("VmRSS:")
    started = time.perf_counter()
    with open(path, "rb") as f:
        answer = session.post(f"{url}/job/create", data={"config": ["priority=50"]},
                              files=[("upload_file", f)],
                              headers={"Authorization": "Bearer bench"})
    seconds = time.perf_counter() - started
    peak = status_kib("VmHWM:")
    answer.raise_for_status()
    assert answer.json()["job"]["id"] == "bench-job"
    print(json.dumps({"seconds": seconds, "rss_before_kib": before, "peak_rss_kib": peak,
                      "rss_growth_kib": peak - before}))


if __name__ == "__main__":
    main()
