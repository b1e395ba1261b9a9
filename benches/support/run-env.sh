# Sourced by every benches/run/<name> script: where things are, and `record NAME`, which
# passes a bench's stdout through and also saves its tables as benches/results/NAME.json.
# benches/run-all sets these once; each script also runs on its own with the defaults.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/bench}
BENCH_PYTHON=${BENCH_PYTHON:-$ROOT/benches/.venv/bin/python}
RESULTS=${RESULTS:-$ROOT/benches/results}
mkdir -p "$RESULTS"

record() {
    tee "$RESULTS/$1.txt"
    "$BENCH_PYTHON" benches/support/tables_to_json.py "$1" < "$RESULTS/$1.txt" > "$RESULTS/$1.json"
    rm "$RESULTS/$1.txt"
}
