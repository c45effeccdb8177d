"""Starting the Textual app from the command line."""

from __future__ import annotations

import argparse


def run_app(args: argparse.Namespace) -> int:
    from tutor.app import TutorApp

    app = TutorApp(model_name=args.model, device=args.device)
    app.run()
    return int(app.return_code or 0)
