"""The tamper snapshot (testtune_executor.integrity.Snapshot) on its own: what counts as a change."""

import sys

import pytest

from testtune_executor import verdict
from testtune_executor.integrity import Snapshot
from testtune_executor.supervise import BoundedOutput

TAGGED = sys.implementation.name == "cpython" and (3, 10) <= sys.version_info[:2] <= (3, 13)


class NoHooks:
    """A hook relay without hooks: only the namespaces are compared."""


def test_nothing_changed_reports_nothing() -> None:
    assert Snapshot(NoHooks()).changes() == []


def test_replacing_a_module_function_is_reported() -> None:
    snapshot = Snapshot(NoHooks())
    original = verdict.judge
    verdict.judge = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        assert "testtune_executor.verdict" in snapshot.changes()
    finally:
        verdict.judge = original  # type: ignore[assignment]


@pytest.mark.skipif(not TAGGED, reason="needs dict version tags (CPython 3.10-3.13)")
def test_a_change_undone_before_the_check_still_counts() -> None:
    snapshot = Snapshot(NoHooks())
    original = verdict.judge
    verdict.judge = lambda *args, **kwargs: None  # type: ignore[assignment]
    verdict.judge = original  # type: ignore[assignment]
    assert "testtune_executor.verdict" in snapshot.changes()


def test_a_class_attribute_set_and_removed_is_reported() -> None:
    snapshot = Snapshot(NoHooks())
    BoundedOutput.extra = 1  # type: ignore[attr-defined]
    del BoundedOutput.extra  # type: ignore[attr-defined]
    changed = snapshot.changes()
    if TAGGED:
        assert "testtune_executor.supervise:BoundedOutput" in changed
    else:  # compared by identity: an undone change is invisible there
        assert changed == []


def test_at_most_limit_changes_are_listed() -> None:
    snapshot = Snapshot(NoHooks())
    names = ("a", "b", "c")
    for name in names:
        setattr(BoundedOutput, name, 1)
    try:
        verdict.extra = 1  # type: ignore[attr-defined]
        assert len(snapshot.changes(limit=1)) == 1
    finally:
        for name in names:
            delattr(BoundedOutput, name)
        del verdict.extra  # type: ignore[attr-defined]


@pytest.mark.skipif(not TAGGED, reason="needs dict version tags (CPython 3.10-3.13)")
def test_the_check_raises_no_audit_event() -> None:
    # In a run every audit event calls the run's audit hook: reading ~390 tags through ctypes
    # objects made ~390 calls per run. (An audit hook cannot be removed: this one only counts.)
    snapshot = Snapshot(NoHooks())
    events: list[str] = []
    counting = [False]

    def hook(event: str, _args: tuple[object, ...]) -> None:
        if counting[0]:
            events.append(event)

    sys.addaudithook(hook)
    counting[0] = True
    try:
        assert snapshot.changes() == []
    finally:
        counting[0] = False
    assert events == []


def _relay_with_one_hook():  # type: ignore[no-untyped-def]
    import pluggy

    spec, impl = pluggy.HookspecMarker("demo"), pluggy.HookimplMarker("demo")

    class Spec:
        @spec
        def judge(self, value: int) -> None: ...

    class Plugin:
        @impl
        def judge(self, value: int) -> int:
            return value

    manager = pluggy.PluginManager("demo")
    manager.add_hookspecs(Spec)
    manager.register(Plugin())
    return manager.hook


@pytest.mark.parametrize("tamper", ["function", "impl list", "hook executor"])
def test_a_changed_hook_is_reported(tamper: str) -> None:
    hook = _relay_with_one_hook()
    snapshot = Snapshot(hook)
    assert snapshot.changes() == []
    caller = hook.judge
    if tamper == "function":
        caller._hookimpls[0].function = lambda value: 0
    elif tamper == "impl list":
        caller._hookimpls.append(caller._hookimpls[0])
    else:
        caller._hookexec = lambda *args: []
    assert snapshot.changes() == ["hook judge"]
