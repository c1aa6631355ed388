"""Reading PDFs back as text (poppler's ``pdftotext``), for canary and content checks."""

from __future__ import annotations

import subprocess


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, read back with poppler's ``pdftotext``."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")
