"""Progress survives a restart: reading position, sections read, scores; review serves misses."""

from __future__ import annotations

from app_helpers import notifications, text_of
from textual.widgets import DataTable, Markdown

from tutor.screens.lesson import LessonScreen
from tutor.screens.review import ReviewScreen


def home_row(app, lesson_id: str) -> list[str]:
    table = app.screen.query_one("#lessons", DataTable)
    return [str(cell) for cell in table.get_row(lesson_id)]


async def test_restart_keeps_progress_and_reopens_where_you_were(make_app):
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "n", "n")  # read intro + two sections, stop on the third
        await pilot.press("escape")
        assert home_row(first, "residual-stream")[2] == "3/4"
        first.open_quiz("attention-heads-check")
        await pilot.pause()
        await pilot.press("1", "enter")  # right: 1/1
        await pilot.press("enter")
    first.store.close()

    second = make_app()  # a new app on the same MITUTOR_HOME
    async with second.run_test(size=(80, 24)) as pilot:
        assert home_row(second, "residual-stream") == ["1", "The residual stream", "3/4", "—", "—"]
        assert home_row(second, "attention-heads")[2:4] == ["0/3", "1/1 (100%)"]
        await pilot.press("enter")
        assert isinstance(second.screen, LessonScreen)
        assert second.screen.index == 2
        assert second.screen.query_one("#section", Markdown).source.startswith(
            "## Reading it with hooks"
        )


async def test_review_serves_a_missed_card_until_it_is_answered(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_review()
        await pilot.pause()
        assert any("Nothing is due" in n for n in notifications(app))

        app.open_quiz("residual-stream-check")
        await pilot.pause()
        await pilot.press("1", "enter")  # rs-add wrong
        await pilot.press("1", "enter", "enter")  # rs-readers right
        await pilot.press("space", "3", "enter")  # rs-recall rated Good
        await pilot.press("enter")  # back to home
        assert home_row(app, "residual-stream")[4] == "1"
        assert "1 card due" in text_of(app, "#due-line")

        await pilot.press("r")
        assert isinstance(app.screen, ReviewScreen)
        assert [q.id for q in app.screen.questions] == ["rs-add"]
        assert text_of(app, "#quiz-status").endswith("·  The residual stream")
        shown = app.screen.order.index(1) + 1  # choices are shuffled in review
        await pilot.press(str(shown), "enter")  # right this time
        assert text_of(app, "#quiz-prompt") == "Score: 1/1 (100%)"
        await pilot.press("enter")
        assert "Nothing due" in text_of(app, "#due-line")

    review_attempts = [a for a in app.store.attempts() if a.source == "review"]
    assert [(a.question_id, a.correct) for a in review_attempts] == [("rs-add", True)]
