"""The files a page loads, all served by the portal itself: its own style sheet, and htmx and
the Be Vietnam Pro font as `npm ci` installed them (pinned, integrity-checked)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"


def mount_assets(app: FastAPI, node_modules: Path) -> None:
    htmx = node_modules / "htmx.org" / "dist"
    fonts = node_modules / "@fontsource" / "be-vietnam-pro" / "files"
    for folder in (htmx, fonts):
        if not folder.is_dir():
            raise RuntimeError(f"{folder} is missing: run `make venv` (npm ci) first")
    app.mount("/assets/htmx", StaticFiles(directory=htmx), name="htmx")
    app.mount("/assets/fonts", StaticFiles(directory=fonts), name="fonts")
    app.mount("/assets", StaticFiles(directory=STATIC_DIR), name="assets")
