"""``python -m parkgis.demo [--scale N] [--out DIR] [--today YYYY-MM-DD] [--seed S]``."""

from __future__ import annotations

import sys

from parkgis.commands.demo import demo_app


def main() -> None:
    """Run ``parkgis demo generate`` with the given options."""
    demo_app(["generate", *sys.argv[1:]], prog_name="python -m parkgis.demo")


if __name__ == "__main__":
    main()
