"""Versioned models on disk with lazy loading, a memory-bounded LRU pool and hot reload.

Layout under ``<state_dir>/models/``: one directory per version (``v0001``, ``v0002``...)
written completely under a temporary name and renamed into place, plus ``LATEST`` naming the
default version (replaced atomically). A reader therefore never sees half a version.

Hot reload swaps one reference: a prediction already running keeps the :class:`Predictor`
it started with (still fully loaded), so it completes; new calls get the new version. The
pool evicts least recently used versions beyond ``max_bytes`` but never the default one.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

from scriptohio.errors import NotFoundError, NotReadyError
from scriptohio.features import FEATURE_NAMES, FeatureStore
from scriptohio.models.artifacts import read_bundle, read_meta, write_bundle
from scriptohio.models.bundle import ModelBundle, feature_hash
from scriptohio.models.predictor import Predictor

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
LATEST_FILE = "LATEST"
log = logging.getLogger(__name__)


class ModelRegistry:
    """Model versions of one state directory, loaded on demand."""

    def __init__(self, state_dir: Path | str, features: FeatureStore | None = None, *,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(state_dir) / "models"
        self.max_bytes = max_bytes
        self._features = features
        self.feature_hash = feature_hash(FEATURE_NAMES)
        self._lock = threading.Lock()
        self._pool: OrderedDict[str, tuple[Predictor, int]] = OrderedDict()
        self._default: Predictor | None = None
        self._ready = threading.Event()
        self.loads = 0  # how many versions were read from disk (observability, tests)
        self.last_load_seconds = 0.0

    # -- versions on disk -------------------------------------------------------------
    def versions(self) -> list[str]:
        """Complete stored versions, oldest first."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir()
                      if p.is_dir() and p.name.startswith("v") and (p / "meta.json").exists())

    def compatible(self, version: str) -> bool:
        """True if ``version`` was trained on the feature list this code computes."""
        try:
            return read_meta(self.root / version).get("feature_hash") == self.feature_hash
        except (OSError, ValueError):
            return False

    def latest_version(self) -> str | None:
        """The default version: ``LATEST`` if present and compatible, else the newest
        compatible directory (a model trained by older code on other features is skipped)."""
        marker = self.root / LATEST_FILE
        if marker.exists():
            name = marker.read_text().strip()
            if (self.root / name).is_dir() and self.compatible(name):
                return name
        found = [v for v in self.versions() if self.compatible(v)]
        return found[-1] if found else None

    def metadata(self, version: str | None = None) -> dict[str, object]:
        """Stored metadata of ``version`` (default: latest) without loading models."""
        name = version or self.latest_version()
        if name is None or not (self.root / name).is_dir():
            raise NotFoundError(f"no model version {name!r}")
        return read_meta(self.root / name)

    def save(self, bundle: ModelBundle, *, make_default: bool = True) -> str:
        """Store ``bundle`` as a new version and (by default) point ``LATEST`` at it."""
        self.root.mkdir(parents=True, exist_ok=True)
        existing = [int(v[1:]) for v in self.versions() if v[1:].isdigit()]
        name = f"v{(max(existing) + 1 if existing else 1):04d}"
        bundle.meta = {**bundle.meta, "version": name}
        tmp = self.root / f".tmp-{name}-{os.getpid()}-{threading.get_ident()}"
        write_bundle(bundle, tmp)
        os.replace(tmp, self.root / name)
        if make_default:
            self.set_default(name)
        return name

    def set_default(self, version: str) -> None:
        """Point ``LATEST`` at ``version`` (atomically); running services switch on reload."""
        if version not in self.versions():
            raise NotFoundError(f"no model version {version!r}")
        marker_tmp = self.root / f".{LATEST_FILE}.{os.getpid()}.{threading.get_ident()}"
        marker_tmp.write_text(version)
        os.replace(marker_tmp, self.root / LATEST_FILE)

    # -- loading ----------------------------------------------------------------------
    def set_features(self, features: FeatureStore) -> None:
        """Bind every loaded (and future) predictor to a new feature store (after ingest)."""
        with self._lock:
            self._features = features
            for predictor, _ in self._pool.values():
                predictor.features = features

    def load(self, version: str | None = None) -> Predictor:
        """The predictor of ``version`` (default: the current default), loading it lazily."""
        if version is None:
            current = self._default
            if current is not None:
                return current
            version = self.latest_version()
            if version is None:
                raise NotReadyError("no trained model for the current features: "
                                    "run `scriptohio train` first")
            predictor = self._get(version)
            with self._lock:
                if self._default is None:
                    self._default = predictor
                    self._ready.set()
                return self._default
        return self._get(version)

    def _get(self, version: str) -> Predictor:
        with self._lock:
            hit = self._pool.get(version)
            if hit is not None:
                self._pool.move_to_end(version)
                return hit[0]
        directory = self.root / version
        if not directory.is_dir():
            raise NotFoundError(f"no model version {version!r}")
        started = time.perf_counter()
        bundle, size = read_bundle(directory)
        predictor = Predictor(bundle, self._features, version=version)
        with self._lock:
            self.loads += 1
            self.last_load_seconds = time.perf_counter() - started
            already = self._pool.get(version)
            if already is not None:  # another thread won the race: keep one copy
                return already[0]
            self._pool[version] = (predictor, size)
            self._evict(keep=version)
        return predictor

    def _evict(self, keep: str) -> None:
        protected = {keep, self._default.model_version if self._default else ""}
        total = sum(size for _, size in self._pool.values())
        for name in list(self._pool):
            if total <= self.max_bytes:
                break
            if name in protected:
                continue
            total -= self._pool.pop(name)[1]

    def loaded_versions(self) -> list[str]:
        """Versions currently in memory, least recently used first."""
        with self._lock:
            return list(self._pool)

    def reload(self) -> str | None:
        """Make the newest stored version the default (loaded before the swap)."""
        latest = self.latest_version()
        if latest is None:
            return None
        predictor = self._get(latest)
        with self._lock:
            self._default = predictor
            self._ready.set()
        return latest

    # -- readiness --------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        """True once the default version is loaded."""
        return self._ready.is_set()

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def preload_in_background(self) -> threading.Thread:
        """Load the default version on a daemon thread; ``ready`` turns True when done."""
        def run() -> None:
            try:
                self.load()
            except Exception:  # readiness stays False; /ready keeps answering 503
                log.exception("model preload failed")

        thread = threading.Thread(target=run, name="model-preload", daemon=True)
        thread.start()
        return thread
