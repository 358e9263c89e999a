"""Flask commands for administration, calling the same operations as the pages."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    pass
