"""The native module's stubs state the types the runtime gives: every property of
``das.Event`` read from a register then verify session against the emulator is an instance of
the type ``_native.pyi`` declares (stubtest checks names and signatures, not property values)."""

from __future__ import annotations

import ast
import typing
from typing import Any, Dict, List

import das
from conftest import ROOT
from test_emulator import SPEAKER_A, SPEAKER_A_VERIFY, credentials

STUBS = ROOT / "python" / "das" / "_native.pyi"


def declared_properties(class_name: str) -> Dict[str, Any]:
    """``name -> type`` of the ``@property`` members of ``class_name`` in the stubs."""
    tree = ast.parse(STUBS.read_text())
    cls = next(node for node in tree.body
               if isinstance(node, ast.ClassDef) and node.name == class_name)
    namespace = vars(typing)
    return {item.name: eval(ast.unparse(item.returns), namespace)  # noqa: S307 (our stub)
            for item in cls.body
            if isinstance(item, ast.FunctionDef) and item.returns is not None
            and any(isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list)}


def conforms(value: Any, declared: Any) -> bool:
    origin, args = typing.get_origin(declared), typing.get_args(declared)
    if declared is Any:
        return True
    if origin is typing.Union:
        return any(conforms(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if origin is not None:
        return isinstance(value, origin)
    if declared is type(None):
        return value is None
    if declared is float:
        # PEP 484 lets an int stand for a float; the runtime must give a real float.
        return type(value) is float
    return isinstance(value, declared)


def test_event_properties_have_the_declared_types(emulator: das.Emulator) -> None:
    events: List[das.Event] = []
    with das.RegisterSession(emulator.socketio_url, **credentials(emulator)) as session:
        session.push_wav(SPEAKER_A)
        session.end_audio()
        events.extend(session.events(timeout=20))
    credential = events[-1].credential
    assert credential
    with das.VerifySession(emulator.socketio_url, credential, **credentials(emulator)) as session:
        session.push_wav(SPEAKER_A_VERIFY)
        session.end_audio()
        events.extend(session.events(timeout=20))
    declared = declared_properties("Event")
    assert {"vad_percentage", "score", "credential"} <= set(declared)
    for event in events:
        for name, expected in declared.items():
            value = getattr(event, name)
            assert conforms(value, expected), (event.name, name, value, expected)
