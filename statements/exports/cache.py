"""Exports kept on disk, so that one that takes seconds to make is made once per content.

The cache is keyed by what the export is made of (never by anything a request brings, such
as its Host header) and bounded: past a number of files or bytes the least recently used go.
Several workers may share the folder: every file appears whole (written aside, then renamed)
and a file another worker removed meanwhile is simply made again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from .model import Published

STALE_PARTIAL_SECONDS = 3600  # a half-written file this old was left by a worker that died


def fingerprint(*modules: ModuleType) -> str:
    """A digest of the code that draws an export: a cached file made by older code (say,
    before a rendering fix) is never served after an upgrade."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


def content_key(pub: Published, *extra: str) -> str:
    """The export's identity: everything it prints except the export time. (Not the
    signing function either: its repr names its address in memory, which differs from one
    worker process to the next, and would make each process draw the same PDF again.)"""
    content = dataclasses.replace(pub, exported_at=None, sign=None)
    return hashlib.sha256("\n".join([repr(content), *extra]).encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True)
class ExportCache:
    folder: Path
    suffix: str
    max_files: int
    max_bytes: int

    def path(self, key: str) -> Path:
        return self.folder / f"{key}{self.suffix}"

    def get(self, key: str) -> bytes | None:
        path = self.path(key)
        try:
            data = path.read_bytes()
            os.utime(path)  # recently used: the last to be removed
        except FileNotFoundError:
            return None
        return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > self.max_bytes or self.max_files < 1:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(key)
        partial = self.folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        partial.write_bytes(data)
        os.replace(partial, path)  # whole or not at all, whichever worker finishes first
        self.evict(keep=path)

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        cached = self.get(key)
        if cached is not None:
            return cached
        data = make()
        self.put(key, data)
        return data

    def entries(self) -> list[tuple[float, int, Path]]:
        """(last used, size, path) of every cached file, oldest first."""
        found = []
        for path in self.folder.glob(f"*{self.suffix}"):
            with contextlib.suppress(FileNotFoundError):  # removed by another worker
                stat = path.stat()
                found.append((stat.st_mtime, stat.st_size, path))
        return sorted(found)

    def evict(self, keep: Path | None = None) -> None:
        """Remove the least recently used files (never `keep`, the one just made) until both
        bounds hold."""
        entries = self.entries()
        count, total = len(entries), sum(size for _, size, _ in entries)
        for _, size, path in entries:
            if count <= self.max_files and total <= self.max_bytes:
                break
            if path != keep:
                path.unlink(missing_ok=True)
                count, total = count - 1, total - size
        cutoff = time.time() - STALE_PARTIAL_SECONDS
        for partial in self.folder.glob(".*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                if partial.stat().st_mtime < cutoff:
                    partial.unlink()
