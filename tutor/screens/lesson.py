"""The lesson reader: one section at a time, a table of contents, keys to the quiz and lab.

Each section shown is recorded as read, and the section is remembered as the reading
position, so reopening the lesson (even after a restart) returns to it. "Try it" links of
the form ``lab:ID?preset=NAME`` open a lab; ``l`` follows the current section's link.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast
from urllib.parse import parse_qs, urlsplit

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from tutor.app import TutorApp
    from tutor.curriculum.schema import Lesson

LAB_LINK = re.compile(r"\[([^\]]+)\]\((lab:[^)\s]+)\)")
OUTPUT_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})output\b[^\n]*$", re.M)
RUNNABLE_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})python\s+runnable\s*$", re.M)


def show_outputs(markdown: str) -> str:
    """Render a listing's ``output`` block as what it is: labelled output, not more code.

    The fence's options (``tol=``) are for the test suite, so they are dropped; the block
    becomes a plain-text fence under a "Prints:" line. Runnable listings lose the
    ``runnable`` word, which is meant for the tests too.
    """
    markdown = RUNNABLE_FENCE.sub(r"\g<indent>\g<fence>python", markdown)
    return OUTPUT_FENCE.sub(r"\g<indent>*It prints:*\n\n\g<indent>\g<fence>text", markdown)


def parse_lab_link(href: str) -> tuple[str, str | None] | None:
    """``lab:patching?preset=eiffel`` → ``("patching", "eiffel")``; None if not a lab link."""
    parts = urlsplit(href)
    if parts.scheme != "lab" or not parts.path:
        return None
    preset = parse_qs(parts.query).get("preset", [None])[0]
    return parts.path, preset


def lab_links(markdown: str) -> list[tuple[str, str]]:
    """The (label, href) pairs of the lab links in a piece of Markdown, in order."""
    return [(m.group(1), m.group(2)) for m in LAB_LINK.finditer(markdown)]


class LessonScreen(Screen[None]):
    """Reads one lesson, section by section."""

    BINDINGS = [
        Binding("n,right", "next_section", "Next", tooltip="Next section"),
        Binding("p,left", "previous_section", "Prev", tooltip="Previous section"),
        Binding("q", "quiz", "Quiz", tooltip="Take this lesson's quick check"),
        Binding(
            "l",
            "lab",
            "Lab",
            tooltip="Follow this section's \"Try it\" link, else open the lesson's lab",
        ),
        Binding("t", "toggle_toc", "Contents", tooltip="Focus the contents; again to hide them"),
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the previous screen"),
    ]

    def __init__(self, lesson: Lesson) -> None:
        super().__init__()
        self.lesson = lesson
        self.index = 0

    @property
    def tutor(self) -> TutorApp:
        return cast("TutorApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lesson-body"):
            yield OptionList(id="toc")
            with VerticalScroll(id="page"):
                yield Markdown(id="section", open_links=False)
        yield Static(id="lesson-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.lesson.title
        self.sub_title = f"lesson {self.lesson.order}"
        self.query_one("#page").focus()
        self.show_section(self.tutor.store.resume_index(self.lesson))

    def _section_markdown(self, index: int) -> str:
        section = self.lesson.sections[index]
        markdown = show_outputs(section.markdown)
        if index == 0 and not markdown.lstrip().startswith("#"):
            return f"# {self.lesson.title}\n\n{markdown}"
        return markdown

    def _refresh_toc(self) -> None:
        read = self.tutor.store.sections_read(self.lesson.id)
        toc = self.query_one("#toc", OptionList)
        toc.clear_options()
        for i, section in enumerate(self.lesson.sections):
            mark = "✓" if section.key in read else "·"
            toc.add_option(Option(Text(f"{mark} {section.title}"), id=str(i)))
        toc.highlighted = self.index

    def show_section(self, index: int) -> None:
        """Show section ``index``, record it as read and as the reading position."""
        sections = self.lesson.sections
        self.index = max(0, min(index, len(sections) - 1))
        section = sections[self.index]
        self.tutor.store_write(
            self.tutor.store.record_visit, self.lesson.id, section.key, self.index
        )
        self.query_one("#section", Markdown).update(self._section_markdown(self.index))
        self.query_one("#page", VerticalScroll).scroll_home(animate=False)
        self._refresh_toc()
        self._refresh_bar()

    def _refresh_bar(self) -> None:
        n = len(self.lesson.sections)
        parts = [f"Section {self.index + 1}/{n}"]
        links = lab_links(self.lesson.sections[self.index].markdown)
        if links:
            parts.append(f"l: {links[0][0]}")
        elif self.lesson.lab:
            parts.append(f"l: open the {self.lesson.lab} lab")
        if self.lesson.quiz:
            parts.append("q: quick check")
        self.query_one("#lesson-bar", Static).update("  ·  ".join(parts))

    def action_next_section(self) -> None:
        if self.index + 1 < len(self.lesson.sections):
            self.show_section(self.index + 1)
        else:
            hint = " Press q for the quick check." if self.lesson.quiz else ""
            self.notify(f"That was the last section.{hint}", markup=False)

    def action_previous_section(self) -> None:
        if self.index > 0:
            self.show_section(self.index - 1)

    def action_toggle_toc(self) -> None:
        """Contents: show and focus it; pressed again while it has focus, hide it."""
        toc = self.query_one("#toc", OptionList)
        if toc.display and toc.has_focus:
            toc.display = False
            self.query_one("#page").focus()
        else:
            toc.display = True
            toc.focus()

    def action_quiz(self) -> None:
        if not self.lesson.quiz:
            self.notify("This lesson has no quiz.", markup=False)
            return
        self.tutor.open_quiz(self.lesson.quiz)

    def action_lab(self) -> None:
        links = lab_links(self.lesson.sections[self.index].markdown)
        if links:
            self._follow(links[0][1])
        elif self.lesson.lab:
            self.tutor.open_lab(self.lesson.lab)
        else:
            self.notify("This lesson has no lab.", markup=False)

    def _follow(self, href: str) -> None:
        target = parse_lab_link(href)
        if target is None:
            self.notify(
                f"Links outside the app are not opened here: {href}",
                severity="warning",
                markup=False,
            )
            return
        self.tutor.open_lab(*target)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self._follow(event.href)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.show_section(int(event.option.id))
            self.query_one("#page").focus()

    def on_screen_resume(self) -> None:
        self._refresh_toc()
