"""What a test needs from the machine (a browser, fonts, node): on a bare machine the test
is skipped with the reason; under CI (CI=true) a missing piece is a failure, never a skip."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"CI must provide this: {reason}", pytrace=False)
    pytest.skip(reason)
