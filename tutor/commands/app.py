"""Starting the Textual app from the command line (`mitutor` with no subcommand)."""

from __future__ import annotations

import argparse
import sys

from tutor.wording import count


def run_app(args: argparse.Namespace, start_lab: tuple[str, str | None] | None = None) -> int:
    """Open the app with ``--model``/``--device``; a progress file that cannot be opened
    (permissions, a full disk) is reported in one line instead of a traceback."""
    from tutor.app import TutorApp
    from tutor.progress import ProgressStoreError

    try:
        app = TutorApp(
            model_name=args.model, device=args.device, start_lab=start_lab, preload_model=True
        )
    except ProgressStoreError as exc:
        print(f"mitutor: {exc}", file=sys.stderr)
        return 1
    app.run()
    left = app.store.retry_pending() if getattr(app.store, "pending", None) else 0
    if left:
        print(
            f"mitutor: {count(left, 'change')} to your progress could not be written to "
            f"{app.store.path} (is the disk full?) and are lost.",
            file=sys.stderr,
        )
        return 1
    return int(app.return_code or 0)
