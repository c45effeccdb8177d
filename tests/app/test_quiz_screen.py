"""Quizzes: right and wrong answers, free recall, the score, and what gets recorded."""

from __future__ import annotations

from app_helpers import text_of

from tutor.progress import ProgressStore
from tutor.screens.lesson import LessonScreen
from tutor.screens.quiz import QuizScreen
from tutor.widgets.choices import ChoiceList


async def test_quiz_right_wrong_and_free_recall_then_score(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_quiz("residual-stream-check")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert text_of(app, "#quiz-status").startswith("Question 1 of 3")

        await pilot.press("2")  # single choice, right (index 1)
        assert text_of(app, "#quiz-feedback").startswith("✓ Right.")
        assert "Blocks write by addition" in text_of(app, "#quiz-feedback")

        await pilot.press("enter")
        assert text_of(app, "#quiz-status").startswith("Question 2 of 3")
        await pilot.press("1", "2")  # multi: marks Attention and MLP (only Attention is right)
        assert app.screen.query_one(ChoiceList).marked == {0, 1}
        await pilot.press("enter")
        feedback = text_of(app, "#quiz-feedback")
        assert feedback.startswith("✗ Not quite. The answer: 1.")
        assert "Only attention moves information" in feedback

        await pilot.press("enter")  # free recall: numbers do nothing before the reveal
        await pilot.press("3")
        assert text_of(app, "#quiz-feedback") == ""
        await pilot.press("space")
        assert "every later layer reads the stream" in text_of(app, "#quiz-feedback")
        await pilot.press("1")  # rated Again: counts as wrong
        assert text_of(app, "#quiz-feedback").startswith("You rated it Again.")

        await pilot.press("enter")
        assert text_of(app, "#quiz-prompt") == "Score: 1/3 (33%)"
        summary = text_of(app, "#quiz-feedback")
        assert "Which parts read from other token positions?" in summary
        assert "why can we patch" in summary

        await pilot.press("r")  # take it again: all right this time
        await pilot.press("2", "enter", "1", "enter", "enter", "space", "4", "enter")
        assert text_of(app, "#quiz-prompt") == "Score: 3/3 (100%)"
        await pilot.press("enter")
        assert not isinstance(app.screen, QuizScreen)

    store = ProgressStore()
    attempts = store.attempts()
    assert [(a.question_id, a.correct) for a in attempts] == [
        ("rs-add", True),
        ("rs-readers", False),
        ("rs-recall", False),
        ("rs-add", True),
        ("rs-readers", True),
        ("rs-recall", True),
    ]
    assert attempts[1].answer == [0, 1]
    assert all(a.time_taken_s is not None and a.time_taken_s >= 0 for a in attempts)
    assert all(a.quiz_id == "residual-stream-check" and a.source == "quiz" for a in attempts)
    assert str(store.best_quiz_score("residual-stream-check")) == "3/3 (100%)"
    assert store.card("rs-readers") is not None


async def test_arrow_keys_and_enter_answer_a_single_choice(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_quiz("attention-heads-check")
        await pilot.pause()
        await pilot.press("down", "enter")  # choice 2: wrong
        assert text_of(app, "#quiz-feedback").startswith("✗ Not quite. The answer: 1.")
        assert app.screen.query_one(ChoiceList).correct == {0}
        await pilot.press("enter")
        assert text_of(app, "#quiz-prompt") == "Score: 0/1 (0%)"


async def test_multi_choice_needs_a_mark_before_submitting(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_quiz("residual-stream-check")
        await pilot.pause()
        await pilot.press("2", "enter")
        await pilot.press("enter")  # nothing marked yet
        assert text_of(app, "#quiz-feedback") == ""
        await pilot.press("space", "enter")  # space marks the choice under the cursor
        assert text_of(app, "#quiz-feedback").startswith("✓ Right.")


async def test_quiz_from_the_lesson_returns_to_it(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "q", "escape")
        assert isinstance(app.screen, LessonScreen)
    assert ProgressStore().attempts() == []
