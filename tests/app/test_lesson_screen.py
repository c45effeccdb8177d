"""The lesson reader: moving between sections, the contents, and the lesson's quiz and lab."""

from __future__ import annotations

from app_helpers import notifications, text_of
from textual.widgets import Markdown, OptionList

from tutor.screens.lesson import LessonScreen, lab_links, parse_lab_link
from tutor.screens.quiz import QuizScreen


def shown(app) -> str:
    return app.screen.query_one("#section", Markdown).source


async def test_enter_opens_lesson_and_n_p_move_between_sections(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == "residual-stream"
        assert "Each token carries a running vector" in shown(app)
        assert text_of(app, "#lesson-bar").startswith("Section 1/4")

        await pilot.press("n")
        assert shown(app).startswith("## A shared workspace")
        await pilot.press("n", "n")
        assert shown(app).startswith("## Why it matters")
        await pilot.press("n")  # past the end: stays, says so
        assert shown(app).startswith("## Why it matters")
        assert any("last section" in n for n in notifications(app))

        await pilot.press("p")
        assert shown(app).startswith("## Reading it with hooks")
        assert text_of(app, "#lesson-bar").startswith("Section 3/4")

        # Every section shown so far is ticked in the contents.
        toc = app.screen.query_one("#toc", OptionList)
        labels = [str(toc.get_option_at_index(i).prompt) for i in range(toc.option_count)]
        assert labels == [
            "✓ Introduction",
            "✓ A shared workspace",
            "✓ Reading it with hooks",
            "✓ Why it matters",
        ]


async def test_contents_jumps_to_a_section(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("attention-heads")
        await pilot.pause()
        await pilot.press("t")  # the contents pane takes focus
        assert isinstance(app.focused, OptionList)
        await pilot.press("down", "down", "enter")
        assert shown(app).startswith("## Values and outputs")
        labels = [str(o.prompt) for o in app.screen.query_one("#toc", OptionList).options]
        assert labels == ["✓ Introduction", "· Queries and keys", "✓ Values and outputs"]
        await pilot.press("t", "t")  # focus the contents, then hide them
        assert not app.screen.query_one("#toc").display


async def test_q_opens_the_lessons_quiz_and_esc_comes_back(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "q")
        assert isinstance(app.screen, QuizScreen)
        assert app.screen.quiz_id == "residual-stream-check"
        await pilot.press("escape")
        assert isinstance(app.screen, LessonScreen)


async def test_l_follows_the_sections_try_it_link(make_app, monkeypatch):
    opened: list[tuple[str, str | None]] = []
    app = make_app()
    monkeypatch.setattr(
        app, "open_lab", lambda lab_id, preset=None: opened.append((lab_id, preset))
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "l")  # intro: no link, the lesson's lab
        await pilot.press("n", "n", "l")  # "Reading it with hooks" links a preset
    assert opened == [("patching", None), ("patching", "eiffel")]


def test_lab_link_parsing():
    assert parse_lab_link("lab:patching?preset=eiffel") == ("patching", "eiffel")
    assert parse_lab_link("lab:sae") == ("sae", None)
    assert parse_lab_link("https://example.org") is None
    text = "See [Try it: one](lab:sae?preset=topk) and [web](https://x.org)."
    assert lab_links(text) == [("Try it: one", "lab:sae?preset=topk")]
