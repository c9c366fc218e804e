"""The code's release (hackthetrack/release.py): what a deployment changes, and only that, moves it."""

from pathlib import Path

from django.apps import apps

from hackthetrack.release import SOURCE_PACKAGES, source_digest


def checkout(root, **files: str):
    for name, text in {"factors/race_model.py": "x = 1\n", "requirements.txt": "Django==5.2\n", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_same_code_is_the_same_release(tmp_path):
    assert source_digest(checkout(tmp_path / "a")) == source_digest(checkout(tmp_path / "b"))


def test_a_change_to_the_code_or_its_requirements_is_another_release(tmp_path):
    release = source_digest(checkout(tmp_path / "a"))

    assert source_digest(checkout(tmp_path / "b", **{"factors/race_model.py": "x = 2\n"})) != release
    assert source_digest(checkout(tmp_path / "c", **{"hackthetrack/cache.py": ""})) != release
    assert source_digest(checkout(tmp_path / "d", **{"requirements.txt": "Django==5.2.1\n"})) != release


def test_tests_benchmarks_and_docs_are_not_the_release(tmp_path):
    release = source_digest(checkout(tmp_path / "a"))
    elsewhere = {"tests/test_x.py": "", "bench/run.py": "", "docs/api.md": "", "README.md": ""}
    changed = checkout(tmp_path / "b", **elsewhere)

    assert source_digest(changed) == release


def test_a_file_moved_is_another_release(tmp_path):
    moved = checkout(tmp_path / "b", **{"factors/race_model.py": "", "factors/models.py": "x = 1\n"})
    assert source_digest(moved) != source_digest(checkout(tmp_path / "a"))


def test_every_app_of_the_project_is_part_of_the_release(settings):
    """A new app of the project's own (a package beside manage.py) must be named in SOURCE_PACKAGES."""
    project_apps = {Path(app.path).name for app in apps.get_app_configs() if Path(app.path).parent == settings.BASE_DIR}
    assert project_apps == set(SOURCE_PACKAGES)
