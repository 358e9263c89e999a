"""Clients in the browser use the JavaScript diff-match-patch (npm `diff-match-patch`).
For texts within the Basic Multilingual Plane its patches must be accepted, and the patch
the server returns must apply with it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from flask import Flask

from tests.factories import api_as, make_statement, make_user
from tests.needs import unavailable

JS = Path(__file__).parent / "js"

BASE = (
    "Les maires réunis à Paris — São Paulo, Кызыл, 昆明 — reconnaissent que les villes sont "
    "au cœur de la biodiversité.\n\nNous nous engageons à protéger les écosystèmes urbains et à "
    "rendre compte de nos progrès tous les deux ans.\n"
)
AMENDED = BASE.replace("tous les deux ans", "chaque année").replace("Кызыл", "Кызыл, Αθήνα")


def _node(request: dict) -> dict:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "diff-match-patch").exists():
        unavailable("node and `npm ci --prefix tests/js` are needed (bash .ci/run does it)")
    done = subprocess.run([node, str(JS / "dmp.js")], input=json.dumps(request),
                          capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)


def test_a_patch_made_in_javascript_is_accepted(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending", text=BASE)
    patch = _node({"op": "make", "a": BASE, "b": AMENDED})["patch"]
    response = api_as(app, make_user(app)).post(f"/statements/{slug}/amendments", {
        "base": 1, "patch": patch, "rationale": "Chaque année"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["text"] == AMENDED


def test_the_server_patch_applies_in_javascript(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending", text=BASE)
    body = api_as(app, make_user(app)).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": AMENDED, "rationale": "Chaque année"}).get_json()
    applied = _node({"op": "apply", "patch": body["patch"], "text": BASE})
    assert applied["applied"] and all(applied["applied"])
    assert applied["text"] == AMENDED
