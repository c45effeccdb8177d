"""The Exercises screens driven with Pilot, and their pictures at 80×24."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static, TextArea

sys.path.insert(0, str(Path(__file__).parents[1] / "app"))
from app_fixture_paths import CONTENT, QUIZZES  # noqa: E402

from tutor.app import TutorApp  # noqa: E402
from tutor.exercises.workspace import learner_path  # noqa: E402
from tutor.screens.exercises import ExerciseScreen, ExercisesScreen  # noqa: E402

EXERCISE = "normalised-recovery"  # its check needs no model: a check takes ~1 s


def make_app() -> TutorApp:
    return TutorApp(content_dirs=[CONTENT], quiz_dirs=[QUIZZES])


async def _wait_for_check(pilot, screen: ExerciseScreen, timeout_s: float = 60) -> None:
    waited = 0.0
    while screen.checking or screen.last_result is None:
        await pilot.pause(0.1)
        waited += 0.1
        assert waited < timeout_s, "the check did not finish"


async def test_home_x_opens_the_list_with_statuses():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        line = str(app.screen.query_one("#exercises-line", Static).render())
        assert "Exercises: 0/" in line and "press x" in line
        await pilot.press("x")
        assert isinstance(app.screen, ExercisesScreen)
        table = app.screen.query_one("#exercise-list", DataTable)
        assert table.row_count == len(app.exercise_set().exercises) >= 14
        assert str(table.get_row_at(0)[0]).startswith("·")


async def test_edit_check_and_see_the_tick():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise(EXERCISE)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen)
        editor = screen.query_one("#editor", TextArea)
        assert "TODO" in editor.text
        # First the untouched starter: a failed check with a message.
        await pilot.press("ctrl+r")
        await _wait_for_check(pilot, screen)
        assert "Not yet" in str(screen.query_one("#result", Static).render())
        # Then type a solution into the editor (select all, type over it).
        editor.focus()
        editor.select_all()
        await pilot.press("backspace")
        await pilot.press(*"def normalised_recovery(patched, clean, corrupted):")
        await pilot.press("enter", "tab", *"if clean == corrupted:", "enter", "tab", "tab")
        await pilot.press(*"raise ValueError('no gap')", "enter", "tab")
        await pilot.press(*"return (patched - corrupted) / (clean - corrupted)")
        screen.last_result = None
        await pilot.press("ctrl+r")
        await _wait_for_check(pilot, screen)
        result = str(screen.query_one("#result", Static).render())
        assert "✓ Passed" in result, result
        assert "return (patched - corrupted)" in learner_path(screen.exercise).read_text()
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"
        attempts = app.store.exercise_attempts(EXERCISE)
        assert [a.passed for a in attempts] == [False, True]
        await pilot.press("x")
        table = app.screen.query_one("#exercise-list", DataTable)
        row = table.get_row(EXERCISE)
        assert str(row[0]).startswith("✓")


async def test_hints_reset_and_file_change_rechecks():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise(EXERCISE)
        await pilot.pause()
        screen = app.screen
        await pilot.press("ctrl+n")
        hints = str(screen.query_one("#hints", Static).render())
        assert "Hint 1:" in hints and "Hint 2:" not in hints
        # Another program writes the file: it is reloaded and checked.
        path = learner_path(screen.exercise)
        path.write_text(screen.exercise.reference(), encoding="utf-8")
        await pilot.pause(1.5)
        assert "ValueError" in screen.query_one("#editor", TextArea).text
        await _wait_for_check(pilot, screen)
        assert screen.last_result.passed
        # Reset asks first, then restores the starter and keeps the old file.
        await pilot.press("ctrl+t")  # to the Task tab, where plain keys are commands
        await pilot.press("x")
        await pilot.press("y")
        await pilot.pause()
        assert "TODO" in screen.query_one("#editor", TextArea).text
        assert "ValueError" in path.with_name("task.py.bak").read_text()


async def test_editor_highlights_python_or_falls_back_to_plain_text(monkeypatch):
    from tutor.screens import exercises as screens

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise(EXERCISE)
        await pilot.pause()
        assert app.screen.query_one("#editor", TextArea).language == "python"
    monkeypatch.setattr(screens, "python_highlighting", lambda: False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise(EXERCISE)
        await pilot.pause()
        editor = app.screen.query_one("#editor", TextArea)
        assert editor.language is None and "TODO" in editor.text


class SnapshotApp(TutorApp):
    def __init__(self) -> None:
        super().__init__(content_dirs=[CONTENT], quiz_dirs=[QUIZZES])


@pytest.mark.parametrize("which", ["list", "editor"])
def test_exercise_snapshots(snap_compare, which):
    async def run_before(pilot) -> None:
        if which == "list":
            pilot.app.open_exercises()
        else:
            pilot.app.open_exercise("logit-diff")
        await pilot.pause()

    assert snap_compare(SnapshotApp(), run_before=run_before, terminal_size=(80, 24))


async def test_review_serves_a_failed_exercise_when_it_is_due():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.store.record_exercise_attempt(EXERCISE, "activation-patching", False, "wrong")
        await pilot.press("r")  # no question is due: the failed exercise comes back
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        assert app.screen.exercise.id == EXERCISE
        assert any("1 exercise to retry" in str(n.message) for n in app._notifications)
