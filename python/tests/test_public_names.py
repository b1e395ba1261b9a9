"""What users see of the package's names: modules list only their API, classes and exceptions
print under the module users import them from."""

from __future__ import annotations

import das
import das.exceptions
import das.trd


def test_trd_namespace_is_its_api() -> None:
    public = {name for name in dir(das.trd) if not name.startswith("_")}
    assert public == set(das.trd.__all__)


def test_classes_print_where_users_import_them() -> None:
    for name in das.trd.__all__:
        value = getattr(das.trd, name)
        if isinstance(value, type) and issubclass(value, das.DasError):
            assert value.__module__ == "das", name
        elif isinstance(value, type):
            assert value.__module__ == "das.trd", name
    for name in das._errors.__all__:
        assert repr(getattr(das, name)) == f"<class 'das.{name}'>"
    assert das.exceptions.ConnectionRefusedError.__module__ == "das"


def test_failed_job_repr_shows_no_segments_as_none() -> None:
    failed = das.trd.JobResult({"job": {"id": "j1", "status": "FAILED",
                                        "failure_reason": "unreadable audio"}})
    assert failed.segments is None
    assert repr(failed).endswith("segments=None)")
    done = das.trd.JobResult({"job": {"id": "j2", "status": "COMPLETED"}, "segments": []})
    assert repr(done).endswith("segments=0)")
