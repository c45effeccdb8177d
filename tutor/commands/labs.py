"""`mitutor labs [--json]`: the registered labs and their presets, read from the registry."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("labs", help="list the labs and their presets")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=run)


def lab_listing() -> list[dict[str, object]]:
    from tutor.labs.registry import all_labs, lab_preset_titles

    return [
        {
            "id": info.id,
            "title": info.title,
            "summary": info.summary,
            "presets": [{"id": k, "title": t} for k, t in lab_preset_titles(info.id)],
        }
        for info in all_labs()
    ]


def run(args: argparse.Namespace) -> int:
    from tutor.labs.jsonout import dumps

    listing = lab_listing()
    if args.json:
        print(dumps(listing))
        return 0
    for lab in listing:
        print(f"{lab['id']:<14} {lab['title']} — {lab['summary']}")
        for preset in lab["presets"]:  # type: ignore[union-attr]
            print(f"    --preset {preset['id']:<22} {preset['title']}")
    print("\nRun one headless: mitutor run LAB [--preset P] [--json]; open one: mitutor open LAB")
    return 0
