"""Starting the Textual app from the command line (`mitutor` with no subcommand)."""

from __future__ import annotations

import argparse
import sys


def run_app(args: argparse.Namespace, start_lab: tuple[str, str | None] | None = None) -> int:
    """Open the app with ``--model``/``--device``; a progress file that cannot be opened
    (permissions, a full disk) is reported in one line instead of a traceback."""
    from tutor.app import TutorApp
    from tutor.progress import ProgressStoreError

    try:
        app = TutorApp(model_name=args.model, device=args.device, start_lab=start_lab)
    except ProgressStoreError as exc:
        print(f"mitutor: {exc}", file=sys.stderr)
        return 1
    app.run()
    return int(app.return_code or 0)
