"""Every "Try it" link in a lesson names a real lab and a preset that opens that lab."""

from __future__ import annotations

from pathlib import Path

import pytest
from course_text import TryIt, lessons, try_it_links
from textual.app import App

from tutor.labs.registry import all_labs, lab_presets, screen_class

LABS = all_labs()
REGISTERED = {info.id for info in LABS}


def make_lab_screen(lab_id: str, preset: str | None = None):
    return screen_class(lab_id)(preset=preset)


ALL_LINKS: list[TryIt] = [link for lesson in lessons() for link in try_it_links(lesson)]
OPENABLE = [link for link in ALL_LINKS if link.lab in REGISTERED]


def test_links_name_known_labs_and_presets():
    for link in ALL_LINKS:
        where = f"{link.path}:{link.line}"
        assert link.lab in REGISTERED, f"{where}: unknown lab {link.lab!r}"
        assert link.preset, f"{where}: a try-it link should name a preset"
        assert link.text.startswith("Try it"), f"{where}: {link.text!r}"
        assert link.preset in lab_presets(link.lab), f"{where}: {link.lab} has no preset {link.preset!r}"


def test_the_new_labs_are_linked_from_the_lessons_they_serve():
    """Each lab built for the course gets links from the lessons it serves."""
    wanted = {
        "heads": {"induction-heads"},
        "lens": {"logit-lens", "residual-stream", "activation-patching", "circuits"},
        "probing": {"probing"},
        "superposition": {"superposition", "sparse-autoencoders"},
    }
    linked: dict[str, set[str]] = {}
    for lesson in lessons():
        for link in try_it_links(lesson):
            linked.setdefault(link.lab, set()).add(lesson.id)
    for lab_id, lesson_ids in wanted.items():
        missing = lesson_ids - linked.get(lab_id, set())
        assert not missing, f"lab {lab_id!r} is not linked from {sorted(missing)}"


def test_the_loader_refuses_a_link_to_an_unknown_preset(tmp_path: Path):
    from tutor.curriculum.loader import check_paths

    header = "---\nid: demo\ntitle: Demo\norder: 1\nsummary: A demo.\n---\n"
    good = "[Try it: x](lab:heads?preset=induction)"
    bad = "[Try it: x](lab:heads?preset=no-such-preset)"
    lesson = tmp_path / "01-demo.md"
    lesson.write_text(header + f"{good}\n\n{bad}\n", encoding="utf-8")
    body = [p for p in check_paths([lesson]).problems if p.field == "body"]
    assert [(p.line, "no-such-preset" in p.message) for p in body] == [(9, True)]


def test_every_lesson_with_a_lab_links_to_it():
    for lesson in lessons():
        lab_id = lesson.meta.get("lab")
        if lab_id:
            assert lab_id in {info.id for info in LABS}, f"{lesson.path}: lab {lab_id!r}"
            labs_linked = {link.lab for link in try_it_links(lesson)}
            assert lab_id in labs_linked, f"{lesson.path}: front matter names {lab_id}, no link"


class _LabHost(App[None]):
    """The smallest app a lab screen expects: a model name, a device and a progress store."""

    def __init__(self, model_name: str, store: object) -> None:
        super().__init__()
        self.model_name = model_name
        self.device = "cpu"
        self.store = store
        self.curriculum = None


@pytest.mark.parametrize(
    "link", OPENABLE, ids=[f"{x.path.name}:{x.line}:{x.lab}:{x.preset}" for x in OPENABLE]
)
async def test_try_it_preset_opens_its_lab(link: TryIt, tmp_path: Path):
    """Build the lab from the link and show it. The app points at a missing model, so
    the lab's worker fails fast with its "cannot load" message instead of running an
    experiment: what is tested here is the link, not the lab's engine."""
    try:
        from tutor.progress import ProgressStore

        store: object = ProgressStore()
    except ImportError:  # the store is written by another area; labs must cope without it
        store = None
    screen = make_lab_screen(link.lab, link.preset)
    host = _LabHost(str(tmp_path / "no-model-here"), store)
    async with host.run_test(size=(80, 24)) as pilot:
        await host.push_screen(screen)
        await pilot.pause()
        await host.workers.wait_for_complete()
        await pilot.pause()
        assert host.screen is screen, f"{link.path}:{link.line}: the lab did not open"
        # The lab must have taken the preset, not silently fallen back to its default.
        chosen = getattr(screen, "preset", None)
        name = getattr(chosen, "id", None) or getattr(chosen, "name", None)
        if name is not None:
            assert name == link.preset, f"{link.path}:{link.line}: opened {name!r}"
        host.workers.cancel_all()
