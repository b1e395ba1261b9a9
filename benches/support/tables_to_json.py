"""Turns a bench's plain-text output (Markdown tables between other lines) into JSON:
{"bench", "recorded", "load_average", "tables": [{"columns", "rows"}], "lines"}.
Cells stay text (with their units) so nothing is lost or reinterpreted.

Usage: python tables_to_json.py NAME < output.txt > NAME.json
"""

import datetime
import json
import sys


def cells(line: str) -> list:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def main() -> None:
    tables, lines, table = [], [], None
    for line in sys.stdin.read().splitlines():
        if line.lstrip().startswith("|"):
            row = cells(line)
            if table is None:
                table = {"columns": row, "rows": []}
                tables.append(table)
            elif not all(set(cell) <= set("-: ") for cell in row):
                table["rows"].append(row)
        else:
            table = None
            if line.strip():
                lines.append(line)
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[0]
    json.dump({"bench": sys.argv[1],
               "recorded": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "load_average": load, "tables": tables, "lines": lines},
              sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
