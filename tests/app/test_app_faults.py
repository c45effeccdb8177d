"""The app under faults and careless keys: a failed save, a double Enter, a small terminal,
shuffled review choices, and NO_COLOR contrast."""

from __future__ import annotations

import sqlite3
from collections import Counter

from app_helpers import notifications, text_of

from tutor.screens.quiz import QuizScreen
from tutor.screens.review import ReviewScreen
from tutor.widgets.choices import ChoiceList


class _FullDisk:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.full = True

    def execute(self, sql: str, *args):
        if self.full and sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise sqlite3.OperationalError("database or disk is full")
        return self.conn.execute(sql, *args)

    def close(self) -> None:
        self.conn.close()


async def test_a_failed_save_says_so_and_the_answer_is_written_later(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        disk = _FullDisk(app.store._conn)
        app.store._conn = disk
        app.open_quiz("residual-stream-check")
        await pilot.pause()
        await pilot.press("2")  # answered: the store cannot write
        assert isinstance(app.screen, QuizScreen)
        assert text_of(app, "#quiz-feedback").startswith("✓ Right.")
        shown = notifications(app)
        assert any("Progress not saved" in n and "disk is full" in n for n in shown)
        assert len(app.store.pending) == 1
        await pilot.press("enter")  # the app goes on
        assert text_of(app, "#quiz-status").startswith("Question 2 of 3")
        disk.full = False
        app._retry_pending_writes()
        await pilot.pause()
        assert app.store.pending == []
        assert any("now been saved" in n for n in notifications(app))
        assert [a.question_id for a in app.store.attempts()] == ["rs-add"]


async def test_enter_on_a_fresh_question_does_not_answer(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_quiz("residual-stream-check")
        await pilot.pause()
        await pilot.press("enter", "enter")  # a double tap records nothing
        assert text_of(app, "#quiz-feedback") == ""
        assert app.store.attempts() == []
        assert any("Pick an answer first" in n for n in notifications(app))
        await pilot.press("down", "enter")  # an explicit pick: choice 2, right
        assert text_of(app, "#quiz-feedback").startswith("✓ Right.")


async def test_review_shuffles_choices_and_grades_by_content(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_quiz("residual-stream-check")
        await pilot.pause()
        await pilot.press("1", "enter", "1", "enter", "enter", "space", "3", "enter", "enter")
        orders = Counter()
        for _ in range(30):
            app.open_review()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            orders[tuple(screen.order)] += 1
            shown = screen.query_one(ChoiceList).choices
            assert shown == [screen.question.choices[i] for i in screen.order]
            wrong = next(i for i, original in enumerate(screen.order) if original != 1)
            await pilot.press(str(wrong + 1))  # a wrong answer keeps the card due
            feedback = text_of(app, "#quiz-feedback")
            right_shown = screen.order.index(1) + 1
            assert feedback.startswith(f"✗ Not quite. The answer: {right_shown}.")
            await pilot.press("enter", "enter")
        assert len(orders) > 1  # not always the file's order
        wrong_answers = [a.answer for a in app.store.attempts() if a.source == "review"]
        assert all(a != 1 for a in wrong_answers)  # recorded as the file's index


async def test_a_small_terminal_gets_a_notice(make_app):
    app = make_app()
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        assert any("Small terminal" in n and "70×20" in n for n in notifications(app))


async def test_no_color_marks_wrong_choices_without_dark_text(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        app.open_quiz("residual-stream-check")
        await pilot.pause()
        await pilot.press("2", "enter", "1", "2", "enter")  # multi: marks a wrong choice
        grid = app.screen.query_one(ChoiceList).render()
        texts = list(grid.columns[1].cells)
        styles = {str(t): str(t.style) for t in texts}
        assert styles["MLP"] == "underline"  # picked and wrong: underlined, no colour
        assert styles["Attention"] == "bold"  # right: bold, no colour


async def test_the_model_preloads_in_the_background_once_home_is_up(monkeypatch):
    import threading

    from app_fixture_paths import CONTENT, QUIZZES

    from tutor.app import TutorApp
    from tutor.model import loader

    calls: list[tuple[str, str, bool]] = []

    def fake_get_model(name: str, device: str) -> object:
        calls.append((name, device, threading.current_thread() is threading.main_thread()))
        raise loader.ModelLoadError("no model in this test")

    monkeypatch.setattr(loader, "get_model", fake_get_model)
    app = TutorApp(content_dirs=[CONTENT], quiz_dirs=[QUIZZES], preload_model=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert calls == [("tutor-gpt", "auto", False)]  # off the UI thread
        assert app.is_running  # a failed preload is left for the lab to report
