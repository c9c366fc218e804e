"""pytest plugin: counts the tests run against each real component, and under ``CI=true`` turns a
skip into a failure that keeps its reason (CI provides every component: see .ci/run).

Without Django on purpose, so that tests/test_setup.py can load it alone in a child pytest."""

import os
from collections import Counter

import pytest

POSTGRES = "PostgreSQL"
WAREHOUSE = "warehouse emulator"
REDIS = "Redis"
CHROMIUM = "Chromium"
SHARED_DATA = "shared data (../shared/grcup2025)"
COMPONENTS = (POSTGRES, WAREHOUSE, REDIS, CHROMIUM, SHARED_DATA)

# The fixtures that reach a component (in a test's fixture closure). A fixture requested with
# getfixturevalue is not in the closure: it records itself with component_used().
COMPONENT_FIXTURES = {
    POSTGRES: {"django_db_setup"},
    WAREHOUSE: {"warehouse_db", "warehouse_transactional_db", "warehouse_emulator"},
    CHROMIUM: {"browser"},
    SHARED_DATA: {"season_dir"},
}
_used = pytest.StashKey[set]()
_ran_against: Counter = Counter()


def component_used(request: pytest.FixtureRequest, component: str) -> None:
    request.node.stash.setdefault(_used, set()).add(component)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def components_of(item: pytest.Item) -> set[str]:
    used = set(item.stash.get(_used, set()))
    fixtures = set(getattr(item, "fixturenames", ()))
    used |= {component for component, names in COMPONENT_FIXTURES.items() if fixtures & names}
    if marker := item.get_closest_marker("django_db"):
        used.add(POSTGRES)
        databases = marker.kwargs.get("databases") or ()
        if databases == "__all__" or "warehouse" in databases:
            used.add(WAREHOUSE)
    return used


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and in_ci():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {reason}"
    if report.when == "call":
        _ran_against.update(components_of(item))
    return report


def pytest_terminal_summary(terminalreporter):
    terminalreporter.section("tests run against real components")
    for component in COMPONENTS:
        terminalreporter.write_line(f"{component}: {_ran_against[component]}")
