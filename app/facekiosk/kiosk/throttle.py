"""Throttle the attempt source that misbehaves before the whole kiosk (issue 17).

Ten failures in five minutes used to pause the whole kiosk: one passer-by failing
liveness again and again locked out the queue behind them. Now a failed attempt counts
against its source first:
- the face that failed: its last embedding, held in memory only while its failures count
  or its pause runs (never written anywhere, gone at a restart, at most MAX_FACES faces),
  and recognised again at the next attempt's first embedded frame;
- the Index ID the attempt named, when it named one (counters in the vault, purged with
  the record, so the pause survives a restart like a PIN lockout).
`kiosk.source_max_failures` failures of one source within the window pause that source
(kiosk.source_backoff_base_s, doubling up to kiosk.source_backoff_max_s). Only failures
of sources never paused before also count towards the kiosk-wide lockout
(kiosk.max_failures), which is left for floods: many different faces, or one attacker
swapping photos.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from facekiosk.engine.types import Embedding
from facekiosk.kiosk.lockout import Backoff, FailureLimiter
from facekiosk.kiosk.store import CounterStore, MemoryCounters

MAX_FACES = 64  # faces remembered at once; the oldest idle one goes first


@dataclass
class _FaceSource:
    embedding: Embedding
    limiter: FailureLimiter
    counters: MemoryCounters = field(default_factory=MemoryCounters)


class SourceThrottle:
    def __init__(
        self,
        store: CounterStore,
        same_face_threshold: float,
        *,
        window_s: float,
        max_failures: int,
        backoff: Backoff,
    ) -> None:
        self._store = store
        self._threshold = same_face_threshold
        self._window = window_s
        self._max = max_failures
        self._backoff = backoff
        self._faces: list[_FaceSource] = []

    # ------------------------------------------------------------------ read
    def face_remaining(self, embedding: Embedding | None, now: float) -> float:
        """Seconds left in the pause of the face this embedding belongs to (0: none)."""
        source = self._find(embedding, now)
        return source.limiter.remaining(now) if source is not None else 0.0

    def id_remaining(self, index_id: str, now: float) -> float:
        return self._id_limiter(index_id).remaining(now)

    def held(self) -> int:
        """Face embeddings held in memory now (for the privacy accounting)."""
        return len(self._faces)

    # ------------------------------------------------------------------ write
    def record_failure(
        self, now: float, embedding: Embedding | None, index_id: str | None
    ) -> tuple[float, bool]:
        """Count one failed attempt against its sources. Returns (the pause length when
        this failure started one, else 0; whether the failure is a first offence, i.e.
        counts towards the kiosk-wide lockout)."""
        limiters = []
        if embedding is not None:
            source = self._find(embedding, now)
            if source is None:
                source = self._add(embedding, now)
            limiters.append(source.limiter)
        if index_id:
            limiters.append(self._id_limiter(index_id))
        first_offence = not any(lim.paused_before() for lim in limiters)
        pause = max((lim.record_failure(now) for lim in limiters), default=0.0)
        return pause, first_offence

    def clear_id(self, index_id: str) -> None:
        """A successful sign-in of this Index ID ends its failure history."""
        for key in ("window_start", "count", "locks", "until"):
            self._store.delete_counter(f"kiosk.source.{index_id}.{key}")

    # ------------------------------------------------------------------ inside
    def _id_limiter(self, index_id: str) -> FailureLimiter:
        # the key holds the Index ID: the vault purges these counters with the record
        return FailureLimiter(
            self._store, f"kiosk.source.{index_id}", max_failures=self._max,
            window_s=self._window, backoff=self._backoff,
        )  # fmt: skip

    def _find(self, embedding: Embedding | None, now: float) -> _FaceSource | None:
        self._faces = [f for f in self._faces if not f.limiter.idle(now)]
        if embedding is None:
            return None
        best, best_sim = None, self._threshold
        for source in self._faces:
            if source.embedding.space != embedding.space:
                continue
            sim = source.embedding.similarity(embedding)
            if sim >= best_sim:
                best, best_sim = source, sim
        return best

    def _add(self, embedding: Embedding, now: float) -> _FaceSource:
        if len(self._faces) >= MAX_FACES:
            self._faces.sort(key=lambda f: f.limiter.until())
            self._faces.pop(0)
        counters = MemoryCounters()
        limiter = FailureLimiter(
            counters, "face", max_failures=self._max, window_s=self._window,
            backoff=self._backoff,
        )  # fmt: skip
        source = _FaceSource(embedding, limiter, counters)
        self._faces.append(source)
        return source
