"""The `b24` command line (see app.py). Nothing in b24client imports it, so the library never pays for argparse."""

from .app import main

__all__ = ["main"]
