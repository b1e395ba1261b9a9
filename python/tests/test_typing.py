"""Type checkers on the public API: mypy --strict and pyright accept every Python example in
the README and docs/ and a typed-usage file, and report exactly the marked lines of a misuse
file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set

import pytest

from conftest import ROOT

TYPING = Path(__file__).parent / "typing"
CHECKERS = ["mypy", "pyright"]


def python_blocks(markdown: Path) -> List[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown.read_text(), re.S | re.M)


def errors(checker: str, files: List[Path]) -> Dict[Path, Set[int]]:
    """The 1-based lines each file has an error on."""
    if checker == "mypy":
        run = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                              "--show-absolute-path", *map(str, files)],
                             capture_output=True, text=True, timeout=600)
        found: Dict[Path, Set[int]] = {}
        for line in run.stdout.splitlines():
            match = re.match(r"(.+?):(\d+): error:", line)
            if match:
                found.setdefault(Path(match[1]), set()).add(int(match[2]))
        assert run.returncode in (0, 1), run.stdout + run.stderr
        return found
    pyright = Path(sys.executable).with_name("pyright")
    run = subprocess.run([str(pyright), "--outputjson", "--pythonpath", sys.executable,
                          *map(str, files)], capture_output=True, text=True, timeout=600)
    report = json.loads(run.stdout)
    found = {}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            line = diagnostic["range"]["start"]["line"] + 1
            found.setdefault(Path(diagnostic["file"]), set()).add(line)
    return found


@pytest.mark.parametrize("checker", CHECKERS)
def test_documented_examples_and_typed_usage_check_clean(checker: str, tmp_path: Path) -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    files = [TYPING / "usage.py"]
    for page in pages:
        for number, block in enumerate(python_blocks(page)):
            files.append(tmp_path / f"{page.stem.replace('-', '_')}_example_{number}.py")
            files[-1].write_text(block)
    shown = {path.name.split("_example_")[0] for path in files[1:]}
    assert {"README", "python", "trd_jobs"} <= shown, f"the pages that show Python: {shown}"
    assert errors(checker, files) == {}


@pytest.mark.parametrize("checker", CHECKERS)
def test_misuse_is_reported_on_exactly_the_marked_lines(checker: str) -> None:
    misuse = TYPING / "misuse.py"
    marked = {number for number, line in enumerate(misuse.read_text().splitlines(), 1)
              if "# expect-error" in line}
    assert errors(checker, [misuse]) == {misuse.resolve(): marked}
