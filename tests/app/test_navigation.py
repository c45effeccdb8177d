"""Reaching every screen: command palette, help, progress, labs; warnings that keep the app up."""

from __future__ import annotations

from app_helpers import notifications, text_of
from textual.command import CommandPalette
from textual.widgets import DataTable

from tutor.app import TutorApp
from tutor.labs import registry
from tutor.labs.info import LabInfo
from tutor.progress import ProgressStore
from tutor.screens import home
from tutor.screens.help import HelpScreen
from tutor.screens.home import HomeScreen
from tutor.screens.lesson import LessonScreen
from tutor.screens.progress import ProgressScreen, describe_due
from tutor.screens.quiz import QuizScreen


async def palette(pilot, query: str) -> None:
    await pilot.press("ctrl+p")
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*query)
    await pilot.pause(0.3)  # the palette searches in a worker
    await pilot.press("enter")
    await pilot.pause()


async def test_command_palette_reaches_screens_lessons_and_quizzes(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await palette(pilot, "Progress")
        assert isinstance(app.screen, ProgressScreen)
        await palette(pilot, "Lesson: Attention heads")
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == "attention-heads"
        await palette(pilot, "Quiz: Quick check — the residual")
        assert isinstance(app.screen, QuizScreen)
        assert app.screen.quiz_id == "residual-stream-check"
        await palette(pilot, "Home")
        assert isinstance(app.screen, HomeScreen)


async def test_command_palette_opens_a_lab_with_its_preset(make_app, monkeypatch):
    app = make_app()
    opened: list[tuple[str, str | None]] = []
    monkeypatch.setattr(
        app, "open_lab", lambda lab_id, preset=None: opened.append((lab_id, preset))
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await palette(pilot, "Golden Gate Bridge feature")
        await palette(pilot, "Break it: patch the wrong position")
    assert opened == [("sae", "golden-gate"), ("patching", "break-wrong-position")]


async def test_help_lists_the_keys_of_every_screen(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = text_of(app, "#help-text")
        for expected in ("Home", "Lesson", "Quiz and review", "Progress", "ctrl+p", "n / →"):
            assert expected in text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_progress_screen_shows_stats_and_due_cards(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_quiz("attention-heads-check")
        await pilot.pause()
        await pilot.press("2", "enter", "enter")  # wrong: the card is due now
        await pilot.press("s")
        assert isinstance(app.screen, ProgressScreen)
        stats = app.screen.query_one("#stats", DataTable)
        rows = [[str(c) for c in stats.get_row_at(i)] for i in range(stats.row_count)]
        assert rows[1] == ["Attention heads", "0/3", "1", "0/1 (0%)", "1", "1"]
        cards = app.screen.query_one("#due-cards", DataTable)
        assert [str(c) for c in cards.get_row_at(0)][:2] == ["now", "Attention heads"]
        assert "due now: 1" in text_of(app, "#due-summary")


def test_describe_due():
    from datetime import timedelta

    assert describe_due(timedelta(seconds=-5)) == "now"
    assert describe_due(timedelta(minutes=20)) == "in 20 min"
    assert describe_due(timedelta(hours=5)) == "in 5 h"
    assert describe_due(timedelta(days=3, hours=1)) == "in 3 d"


async def test_broken_quiz_file_warns_with_file_and_line_and_the_rest_works(
    make_app, broken_quizzes
):
    app = make_app(quiz_dirs=[broken_quizzes])
    async with app.run_test(size=(80, 24)) as pilot:
        panel = text_of(app, "#problems")
        assert "broken.yaml:10:" in panel and "answer" in panel
        assert app.screen.query_one("#problems").display
        assert any("content problem" in n and "broken.yaml:10" in n for n in notifications(app))
        app.open_quiz("residual-stream-check")  # the good quizzes still work
        await pilot.pause()
        await pilot.press("2")
        assert text_of(app, "#quiz-feedback").startswith("✓ Right.")


async def test_clean_content_shows_no_warning(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)):
        assert not app.screen.query_one("#problems").display


async def test_a_lab_that_cannot_be_imported_gets_a_message(make_app, monkeypatch):
    ghost = LabInfo(
        "ghost",
        "Ghost",
        "Not written.",
        "tutor.no_such",
        "tutor.no_such",
        "tutor.no_such",
        "tutor.screens.no_such:X",
    )
    monkeypatch.setattr(registry, "all_labs", lambda: (ghost,))
    monkeypatch.setattr(home, "all_labs", lambda: (ghost,))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", "enter")  # from the lessons to the labs list, open it
        app.open_lab("nonexistent")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        shown = notifications(app)
        assert any("The Ghost lab is not available" in n for n in shown)
        assert any("unknown lab 'nonexistent'" in n for n in shown)


async def test_recovered_progress_file_is_named(tmp_path, make_app):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"this is not a database" * 200)
    store = ProgressStore(path)
    assert store.recovered_from is not None
    app = TutorApp(content_dirs=[], quiz_dirs=[], store=store)
    async with app.run_test(size=(80, 24)):
        assert any(str(store.recovered_from) in n for n in notifications(app))
