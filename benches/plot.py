"""Draws benches/sessions.png from the sessions, bindings and knee results: client CPU (% of
one core) and p99 event latency against concurrent sessions, das (Rust) vs the floor and the
python-socketio stack, with the C ABI and the Python wheel at 100 sessions; and the share of
audio frames handed over more than 50 ms late as sessions grow (the real-time knee).

Usage: python benches/plot.py RESULTS_DIR OUTPUT.png
"""

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

STYLE = {
    "das (Rust)": dict(color="tab:blue", marker="o", linestyle="-"),
    "floor (length-prefixed TCP)": dict(color="tab:grey", marker="x", linestyle="--"),
    "python-socketio + websockets": dict(color="tab:orange", marker="s", linestyle="-"),
    "das C ABI (libdas.so), thread per session": dict(color="tab:green", marker="^",
                                                      linestyle="none", markersize=9),
    "das C ABI (libdas.so), event loop": dict(color="tab:olive", marker="v", linestyle="none",
                                              markersize=9),
    "das C ABI (libdas.so), caller-driven loop": dict(color="tab:cyan", marker="<",
                                                      linestyle="none", markersize=9),
    "das Python wheel": dict(color="tab:purple", marker="D", linestyle="none", markersize=8),
    "das Python wheel, asyncio": dict(color="tab:pink", marker="d", linestyle="none",
                                      markersize=9),
    "das Python wheel, caller-driven asyncio": dict(color="tab:brown", marker="P",
                                                    linestyle="none", markersize=9),
}


def rows(results: Path) -> list:
    found = []
    for name in ("sessions.json", "bindings.json", "knee.json"):
        path = results / name
        if path.exists():
            found += [dict(row, source=name) for row in json.loads(path.read_text())]
    return found


def means(runs: list) -> list:
    """One point per size: the mean of the repeated runs' figures (`--repeat`), by size."""
    by_size = {}
    for row in runs:
        by_size.setdefault(row["sessions"], []).append(row)
    points = []
    for sessions, group in sorted(by_size.items()):
        p99 = [r["latency_p99_ms"] for r in group if r["latency_p99_ms"]]
        points.append(dict(
            sessions=sessions,
            cpu_percent_of_one_core=sum(r["cpu_percent_of_one_core"] for r in group) / len(group),
            latency_p99_ms=sum(p99) / len(p99) if p99 else None,
            late_frames=sum(r["late_frames"] for r in group),
            frames=sum(r["frames"] for r in group)))
    return points


def main() -> None:
    results, output = Path(sys.argv[1]), sys.argv[2]
    data = rows(results)
    figure, (cpu, latency, knee) = plt.subplots(1, 3, figsize=(15, 4.2))
    for client, style in STYLE.items():
        # das (Rust) is drawn from the sessions run; the bindings run repeats it at 100.
        mine = means([r for r in data if r["client"] == client and r["source"] != "knee.json"
                      and (client != "das (Rust)" or r["source"] == "sessions.json")])
        if not mine:
            continue
        # A single floor session rounds to 0 % of a core, which a log axis cannot show.
        usage = [(r["sessions"], r["cpu_percent_of_one_core"]) for r in mine
                 if r["cpu_percent_of_one_core"] > 0]
        cpu.plot(*zip(*usage), label=client, **style)
        points = [(r["sessions"], r["latency_p99_ms"]) for r in mine if r["latency_p99_ms"]]
        if points:
            latency.plot(*zip(*points), label=client, **style)
    for client in ("das (Rust)", "python-socketio + websockets"):
        mine = means([r for r in data if r["client"] == client and r["source"] == "knee.json"])
        points = [(r["sessions"], 100.0 * r["late_frames"] / r["frames"]) for r in mine
                  if r["frames"]]
        if points:
            knee.plot(*zip(*points), label=client, **STYLE[client])
    knee.set_xscale("log")
    # Label the measured sizes only: the log axis's minor ticks crowd together near 8,000.
    sizes = sorted({r["sessions"] for r in data if r["source"] == "knee.json"})
    knee.set_xticks(sizes, minor=False)
    knee.set_xticks([], minor=True)
    knee.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    knee.set_xlabel("concurrent real-time sessions (energy-VAD emulator)")
    knee.set_ylabel("% of audio frames > 50 ms late")
    knee.set_title("Real time to the knee", fontsize=10)
    knee.grid(True, which="both", linewidth=0.3)
    knee.legend(fontsize=8)
    latency.axhline(2, color="grey", linestyle=":", linewidth=1)
    latency.annotate("target: ≤ 2 ms", (1, 2), textcoords="offset points", xytext=(2, 3),
                     fontsize=8, color="grey")
    for axis, title, unit in ((cpu, "Client CPU", "% of one core"),
                              (latency, "Event latency p99 (emulator send → caller)", "ms")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        for ticks in (axis.xaxis, axis.yaxis):
            ticks.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axis.set_xlabel("concurrent real-time sessions")
        axis.set_ylabel(unit)
        axis.set_title(title, fontsize=10)
        axis.grid(True, which="both", linewidth=0.3)
    cpu.legend(fontsize=8)
    figure.suptitle("Registration sessions streaming 8 kHz µ-law over AudioHook in real time",
                    fontsize=11)
    figure.tight_layout()
    figure.savefig(output, dpi=110)


if __name__ == "__main__":
    main()
