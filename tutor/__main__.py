"""`python -m tutor` runs the same entry point as the `mitutor` script."""

from tutor.cli import entry

if __name__ == "__main__":
    entry()
