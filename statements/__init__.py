"""statements: draft a formal statement together, amend it, endorse it, publish it."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import models  # noqa: F401  (registers every table on the metadata)
from .api import bp as api_bp
from .cli import register_commands
from .config import load_settings
from .database import install_engine_events
from .extensions import csrf, db, login_manager, migrate
from .fonts import FontsMissing, available_fonts
from .http.hooks import DrainRefusedBody, register_request_hooks
from .http.identity import init_identity
from .http.problems import register_error_handlers
from .i18n import init_i18n
from .web import bp as web_bp
from .web.page_cache import KeptPages

log = logging.getLogger(__name__)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Overrides that stand for environment variables, so they pass through the same parsing.
ENV_OVERRIDES = {"DATABASE_URL", "SECRET_KEY", "STATEMENTS_ENV", "SECURE_COOKIES",
                 "INSTANCE_PATH", "PUBLIC_URL", "SIGNING_KEY", "RETIRED_SIGNING_KEYS",
                 "MAIL_URL", "MAIL_FROM"}


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Assemble the application: settings, extensions, blueprints, error handlers, CLI.

    ``overrides`` are applied over the environment (tests use it): the names in
    ``ENV_OVERRIDES`` as if they were environment variables, the rest as Flask settings.
    """
    overrides = dict(overrides or {})
    env = {**os.environ, **{k: str(v) for k, v in overrides.items() if k in ENV_OVERRIDES}}
    app = Flask(
        __name__,
        instance_path=env.get("INSTANCE_PATH") or os.path.join(ROOT, "instance"),
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.config.update(load_settings(env, app.instance_path))
    app.config.update({k: v for k, v in overrides.items() if k not in ENV_OVERRIDES})
    logging.getLogger("statements").setLevel(app.config["LOG_LEVEL"])

    register_request_hooks(app)  # first: the body-size check precedes every other hook
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_identity(app)
    init_i18n(app)
    with app.app_context():
        install_engine_events(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    register_error_handlers(app)
    _report_fonts(app)
    app.register_blueprint(web_bp)
    app.register_blueprint(api_bp)
    register_commands(app)

    # Kept public pages are answered in front of Flask (and so inside the proxy fix).
    app.wsgi_app = KeptPages(app, app.wsgi_app)  # type: ignore[method-assign]
    # Flask's way to add WSGI middleware is to replace the app's ``wsgi_app`` method, which
    # mypy refuses as monkey-patching (python/mypy#2427): hence method-assign, here only.
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)
    app.wsgi_app = DrainRefusedBody(app.wsgi_app)  # type: ignore[method-assign]
    return app


def _report_fonts(app: Flask) -> None:
    """Say at start-up, not at the first PDF download, when the fonts a signatory list
    needs are missing. The service still starts: every other export works without them."""
    try:
        available_fonts()
    except FontsMissing as exc:
        log.warning("PDF export unavailable: %s", exc)
