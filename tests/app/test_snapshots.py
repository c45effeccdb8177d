"""Pictures of the home, lesson and quiz screens at 80×24, on the fixture content."""

from __future__ import annotations

import pytest
from app_fixture_paths import CONTENT, QUIZZES

from tutor.app import TutorApp
from tutor.labs.info import LabInfo
from tutor.screens import home

# The labs as the pictures show them, so that adding a lab elsewhere does not change them.
FIXED_LABS = (
    LabInfo(
        "patching",
        "Activation patching",
        "Corrupt a prompt, patch clean activations back layer by layer, see where the answer lives.",
        "tutor.labs.patching.presets",
        "tutor.labs.patching.experiment",
        "tutor.labs.patching.cli",
        "tutor.labs.patching.screen:PatchingScreen",
    ),
    LabInfo(
        "sae",
        "SAE playground",
        "Train a sparse autoencoder live, browse its features, steer the model with one.",
        "tutor.labs.sae.presets",
        "tutor.labs.sae.experiment",
        "tutor.labs.sae.cli",
        "tutor.labs.sae.screen:SAEScreen",
    ),
)


@pytest.fixture(autouse=True)
def _fixed_labs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(home, "all_labs", lambda: FIXED_LABS)


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


def test_quiz_snapshot_no_color(snap_compare, monkeypatch):
    # With NO_COLOR the verdicts still read: ✓/✗ marks and the (•)/[x] boxes carry them.
    monkeypatch.setenv("NO_COLOR", "1")
    app = SnapshotApp()
    assert app.no_color

    async def run_before(pilot) -> None:
        pilot.app.open_quiz("residual-stream-check")
        await pilot.pause()
        await pilot.press("1")

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
