"""On-disk form of a model bundle: zstd-compressed joblib + XGBoost's own JSON + metadata.

A version directory holds ``suite.joblib.zst`` (scikit-learn models, scalers, weights),
``xgboost.json.zst`` (the booster in XGBoost's portable JSON, never pickled) and ``meta.json``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import joblib
import zstandard

from scriptohio.errors import DataFormatError
from scriptohio.models.bundle import ModelBundle
from scriptohio.models.estimators import XGBoostModel

SUITE_FILE = "suite.joblib.zst"
XGB_FILE = "xgboost.json.zst"
META_FILE = "meta.json"
ZSTD_LEVEL = 6


def _xgb_models(bundle: ModelBundle) -> list[XGBoostModel]:
    return [m for m in bundle.models if isinstance(m, XGBoostModel)]


def write_bundle(bundle: ModelBundle, directory: Path) -> int:
    """Write ``bundle`` into ``directory`` (created); returns the uncompressed byte size."""
    directory.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    joblib.dump(bundle, buf)
    raw = buf.getvalue()
    cctx = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
    (directory / SUITE_FILE).write_bytes(cctx.compress(raw))
    size = len(raw)
    models = _xgb_models(bundle)
    if models:
        blob = models[0].booster_json()
        (directory / XGB_FILE).write_bytes(cctx.compress(blob))
        size += len(blob)
    (directory / META_FILE).write_text(json.dumps(bundle.meta, indent=2, sort_keys=True))
    return size


def read_bundle(directory: Path, *, predict_threads: int = 1) -> tuple[ModelBundle, int]:
    """Load a bundle written by :func:`write_bundle`; returns it and its in-memory size."""
    dctx = zstandard.ZstdDecompressor()
    try:
        raw = dctx.decompress((directory / SUITE_FILE).read_bytes())
        bundle = joblib.load(io.BytesIO(raw))
    except (OSError, zstandard.ZstdError, EOFError, ValueError) as exc:
        raise DataFormatError(f"cannot read model artifact: {exc}",
                              file=str(directory / SUITE_FILE)) from exc
    if not isinstance(bundle, ModelBundle):
        raise DataFormatError("not a model bundle", file=str(directory / SUITE_FILE))
    size = len(raw)
    for model in _xgb_models(bundle):
        blob = dctx.decompress((directory / XGB_FILE).read_bytes())
        model.defer_booster(blob, predict_threads)
        size += len(blob)
    return bundle, size


def read_meta(directory: Path) -> dict[str, object]:
    """The metadata of a stored version (cheap: no model is loaded)."""
    data = json.loads((directory / META_FILE).read_text())
    return data if isinstance(data, dict) else {}
