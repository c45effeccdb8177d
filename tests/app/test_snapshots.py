"""Pictures of the home, lesson and quiz screens at 80×24, on the fixture content."""

from __future__ import annotations

from conftest import CONTENT, QUIZZES

from tutor.app import TutorApp


class SnapshotApp(TutorApp):
    """The app on fixture content, so the pictures do not change with the real lessons."""

    def __init__(self) -> None:
        super().__init__(content_dirs=[CONTENT], quiz_dirs=[QUIZZES])


def test_home_snapshot(snap_compare):
    assert snap_compare(SnapshotApp(), terminal_size=(80, 24))


def test_lesson_snapshot(snap_compare):
    # The second section: a formula and a table.
    assert snap_compare(SnapshotApp(), press=["enter", "n"], terminal_size=(80, 24))


def test_lesson_code_snapshot(snap_compare):
    # The third section: a highlighted code fence and a "try it" link.
    assert snap_compare(SnapshotApp(), press=["enter", "n", "n"], terminal_size=(80, 24))


def test_quiz_snapshot(snap_compare):
    # A multiple-choice question answered wrongly: marks, right answers and feedback.
    async def run_before(pilot) -> None:
        pilot.app.open_quiz("residual-stream-check")
        await pilot.pause()
        await pilot.press("2", "enter", "1", "2", "enter")

    assert snap_compare(SnapshotApp(), run_before=run_before, terminal_size=(80, 24))
