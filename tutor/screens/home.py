"""The home screen: the lessons with their progress, the labs, and what is due for review."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from tutor.labs.registry import all_labs
from tutor.wording import count

if TYPE_CHECKING:
    from tutor.app import TutorApp


class HomeScreen(Screen[None]):
    """Lessons (Enter opens), labs (Tab, then Enter), review and progress keys."""

    BINDINGS = [
        Binding("r", "review", "Review", tooltip="Answer the review cards that are due"),
        Binding("s", "progress", "Stats", tooltip="Progress: per-lesson stats and cards due"),
        Binding("x", "exercises", "Exercises", tooltip="Write the code: exercises per lesson"),
        Binding(
            "tab",
            "app.focus_next",
            "Lessons/labs",
            show=False,
            tooltip="Switch between the lessons and the labs",
        ),
        Binding("q", "app.quit", "Quit", tooltip="Quit mitutor (progress is already saved)"),
    ]

    @property
    def tutor(self) -> TutorApp:
        return cast("TutorApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="home-body", can_focus=False):
            yield Static(id="problems", markup=False)
            yield Static("Lessons", classes="heading")
            yield DataTable(id="lessons", cursor_type="row", zebra_stripes=False)
            yield Static(id="lesson-summary", markup=False)
            yield Static("Labs", classes="heading")
            yield OptionList(id="labs")
            yield Static(id="due-line")
            yield Static(id="exercises-line")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#lessons", DataTable)
        table.add_column("#", key="order")
        table.add_column("Lesson", key="title")
        table.add_column("Read", key="read")
        table.add_column("Best quiz", key="best")
        table.add_column("Due", key="due")
        labs = self.query_one("#labs", OptionList)
        known_labs = all_labs()
        for info in known_labs:
            # One line each (the summary cut with …), so the list and the lines under it fit
            # 80×24 with every lab listed.
            line = Text(f"{info.title} — {info.summary}", no_wrap=True, overflow="ellipsis")
            labs.add_option(Option(line, id=info.id))
        if known_labs:
            labs.highlighted = 0
        problems = self.tutor.curriculum.problems
        panel = self.query_one("#problems", Static)
        panel.display = bool(problems)
        if problems:
            lines = [f"⚠ {count(len(problems), 'content problem')}; what they break is left out:"]
            lines += [f"  {p}" for p in problems[:4]]
            if len(problems) > 4:
                lines.append(f"  … {len(problems) - 4} more (mitutor check-content)")
            panel.update("\n".join(lines))
        self.refresh_progress()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_progress()

    def refresh_progress(self) -> None:
        """Redraw the per-lesson progress and the due count from the store."""
        from tutor.curriculum.review import due_questions

        curriculum = self.tutor.curriculum
        store = self.tutor.store
        table = self.query_one("#lessons", DataTable)
        row = table.cursor_row
        table.clear()
        for lesson, stats in zip(
            curriculum.lessons, store.all_lesson_stats(curriculum), strict=True
        ):
            best = "—" if stats.best_score is None else str(stats.best_score)
            table.add_row(
                str(lesson.order),
                Text(lesson.title),
                f"{stats.sections_read}/{stats.sections_total}",
                best,
                str(stats.cards_due) if stats.cards_due else "—",
                key=lesson.id,
            )
        if curriculum.lessons:
            table.move_cursor(row=min(row, len(curriculum.lessons) - 1))
        else:
            table.display = False
        due = len(due_questions(curriculum, store))
        self.query_one("#due-line", Static).update(
            f"{count(due, 'card')} due for review: press r." if due else "Nothing due for review."
        )
        self._show_exercises_line()
        self._show_summary()

    def _show_exercises_line(self) -> None:
        from tutor.exercises.status import solved_count

        exercises = self.tutor.exercise_set().exercises
        solved = solved_count(exercises, self.tutor.store)
        due = len(self.tutor.due_exercise_ids())
        retry = f", {due} to retry" if due else ""
        self.query_one("#exercises-line", Static).update(
            f"Exercises: {solved}/{len(exercises)} solved{retry}: press x."
        )

    def _show_summary(self) -> None:
        table = self.query_one("#lessons", DataTable)
        lessons = self.tutor.curriculum.lessons
        text = lessons[table.cursor_row].summary if lessons else "No lessons found."
        self.query_one("#lesson-summary", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_summary()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.tutor.open_lesson(event.row_key.value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.tutor.open_lab(event.option.id)

    def action_review(self) -> None:
        self.tutor.open_review()

    def action_progress(self) -> None:
        self.tutor.open_progress()

    def action_exercises(self) -> None:
        self.tutor.open_exercises()
