"""The baselines bench_http.py measures the service against, served by the same gunicorn:
a bare Flask "hello", and a raw one-row SQLite INSERT+COMMIT per request (WAL,
synchronous=FULL, one connection per thread), the least an endorsement can cost.

gunicorn ... bench.baseline_apps:hello / bench.baseline_apps:insert (BASELINE_DB=path)
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, request

hello = Flask("hello")


@hello.get("/")
def say_hello() -> str:
    return "Hello, World!"


insert = Flask("insert")
_local = threading.local()


def _connection() -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["BASELINE_DB"], isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        _local.conn = conn
    return conn


@insert.post("/")
def insert_row() -> tuple[str, int]:
    conn = _connection()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO rows (body) VALUES (?)", (request.get_data(as_text=True),))
    conn.execute("COMMIT")
    return "", 201


def create_table(path: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT)")
