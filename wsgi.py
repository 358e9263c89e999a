"""The production entry point (gunicorn wsgi:app)."""

import gc

from statements import create_app

app = create_app()
# What start-up made (the modules, the app, its rules, its fonts' tables) lives as long as
# the process: moved out of the collector's reach, so that a full collection scans only
# what requests made since. Unfrozen, each full collection scanned them all, 85-145 ms
# with no other thread of the worker running: the public page's p99 under gthread.
gc.freeze()
