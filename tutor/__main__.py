"""`python -m tutor` runs the same entry point as the `mitutor` script."""

from tutor.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
