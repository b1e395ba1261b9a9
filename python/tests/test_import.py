"""What ``import das`` loads: a session script pays for sessions only. The asyncio flavours,
the emulator and das.trd load on first use, each under every name it is reached by."""

from __future__ import annotations

import subprocess
import sys

import pytest

import das

#: Modules a script that only runs sessions never needs.
DEFERRED = ("asyncio", "ssl", "urllib.request", "http.client", "email.parser", "subprocess",
            "das.asyncio_client", "das.event_loop", "das.emulator", "das.trd")


def run_probe(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_import_das_loads_none_of_the_deferred_modules() -> None:
    run_probe(f"import sys, das; loaded = [m for m in {DEFERRED!r} if m in sys.modules]; "
              "assert not loaded, f'import das loaded {loaded}'")


@pytest.mark.parametrize("reach, module", [
    ("das.AsyncClient", "das.asyncio_client"),
    ("from das import AsyncRegisterSession, AsyncVerifySession", "das.asyncio_client"),
    ("das.run", "das.event_loop"),
    ("from das import new_event_loop", "das.event_loop"),
    ("das.Emulator", "das.emulator"),
    ("from das import Emulator", "das.emulator"),
    ("das.trd.parse_webhook", "das.trd"),
    ("from das import trd; trd.Client", "das.trd"),
    ("import das.trd; das.trd.Client", "das.trd"),
])
def test_a_deferred_name_loads_its_module_on_first_use(reach: str, module: str) -> None:
    run_probe(f"import sys, das; assert {module!r} not in sys.modules\n{reach}\n"
              f"assert {module!r} in sys.modules")


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        das.NoSuchThing


def test_dir_lists_the_deferred_names_without_loading_them() -> None:
    run_probe("import sys, das; names = dir(das); "
              "missing = {'AsyncClient', 'run', 'Emulator', 'trd'} - set(names); "
              "assert not missing, missing; "
              f"loaded = [m for m in {DEFERRED!r} if m in sys.modules]; assert not loaded, loaded")
