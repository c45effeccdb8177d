"""The real, bundled lessons open and every section renders in the reader at 80×24."""

from __future__ import annotations

from textual.widgets import Markdown

from tutor.app import TutorApp
from tutor.screens.lesson import LessonScreen


async def test_every_bundled_lesson_section_renders():
    app = TutorApp()  # the bundled content/ and quizzes/
    assert app.curriculum.lessons, "no bundled lessons found"
    async with app.run_test(size=(80, 24)) as pilot:
        for lesson in app.curriculum.lessons:
            app.open_lesson(lesson.id)
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen)
            for index, section in enumerate(lesson.sections):
                assert app.screen.index == index
                assert app.screen.query_one("#section", Markdown).source.strip()
                assert section.title
                await pilot.press("n")
            await pilot.press("escape")
