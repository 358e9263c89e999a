"""Per-process memory of pure text work, keyed by content.

Diffing and merging the open amendments is the moderation queue's whole cost, and the
same texts come back request after request: versions never change, and an amendment's
text only changes when it is brought up to date, which changes its key. So results are
kept under the digests of the texts they were worked out from (never under row ids, which
another database, or the next test's, gives to other texts), and a hit is the very value
the work would give again. Nothing needs invalidating; the least recently used entries
go once a memo holds more than its budget.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Digest = bytes


class Digests:
    """The digest of each text, worked out once per text object for as long as this lives
    (one request's worth): the head is compared with every amendment."""

    def __init__(self) -> None:
        # The text is kept beside its digest so that its id cannot be reused meanwhile.
        self._seen: dict[int, tuple[str, Digest]] = {}

    def __call__(self, text: str) -> Digest:
        found = self._seen.get(id(text))
        if found is not None:
            return found[1]
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                 digest_size=20).digest()
        self._seen[id(text)] = (text, digest)
        return digest


class Memo(Generic[K, V]):
    """A thread-safe least-recently-used map of at most ``budget`` weight (by default
    each entry weighs 1). ``get_or_make`` works outside the lock: two threads missing the
    same key both do the work and keep the same value."""

    def __init__(self, budget: int, weigh: Callable[[V], int] | None = None) -> None:
        self._budget = budget
        self._weigh = weigh
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found[0]
        value = make()
        weight = 1 if self._weigh is None else max(1, self._weigh(value))
        if weight > self._budget:
            return value
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._weight -= previous[1]
            self._entries[key] = (value, weight)
            self._weight += weight
            while self._weight > self._budget:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._weight -= dropped
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0
