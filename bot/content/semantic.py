"""Optional meaning-based second opinion for search: WordLlama's static word embeddings.

Installed with `pip install "skillbot[semantic]"`. The model's weights and tokenizer ship inside the
`wordllama` wheel, so nothing is downloaded. Without the package,
or with SKILLBOT_SEMANTIC=0, search is purely lexical and answers exactly as before.

Each searchable document (a skill or a topic) is embedded through several views: its title, each
keyword, each tool and its prose. A question's similarity to a document is the mean of its best view
and of all views, so one keyword that matches well counts, and so does the overall drift of the text.
"""
from __future__ import annotations

import functools
import importlib.util
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
_EMBEDDED: dict[str, Any] = {}  # the content's view embeddings, shared by the searchers of one content


def semantic_enabled() -> bool:
    return os.environ.get("SKILLBOT_SEMANTIC", "1").strip().lower() not in {"0", "false", "no", "off"}


class _StaticEmbedder:
    """WordLlama's inference, reduced to what search needs: token embeddings averaged, then
    normalised. Read straight from the wheel's files (weights memory-mapped in float16), without
    importing the package, which would bring its clustering and download code along."""

    MODEL = "l2_supercat"

    def __init__(self, root: Path):
        # One small product per question: BLAS threads only add waiting, badly so on a busy machine
        # (p99 16 ms against 0.2 ms single-threaded). Set before numpy first loads its BLAS.
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(variable, "1")
        import numpy as np
        from tokenizers import Tokenizer

        self._np = np
        self._tokenizer = Tokenizer.from_file(str(root / "tokenizers" / f"{self.MODEL}_tokenizer_config.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._table = _mapped_tensor(root / "weights" / f"{self.MODEL}_256.safetensors", "embedding.weight")

    def embed(self, texts: Sequence[str]) -> Any:
        np = self._np
        out = np.zeros((len(texts), self._table.shape[1]), dtype=np.float32)
        for row, encoding in enumerate(self._tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            ids = np.clip(np.asarray(encoding.ids, dtype=np.int64), 0, self._table.shape[0] - 1)
            if ids.size:
                vector = self._table[ids].astype(np.float32).mean(axis=0)
                norm = float(np.linalg.norm(vector))
                out[row] = vector / norm if norm else vector
        return out


def _mapped_tensor(path: Path, name: str) -> Any:
    """One tensor of a safetensors file, memory-mapped rather than read: only the rows of tokens that
    questions use are ever paged in, and replicas on one machine share them (16 MB read -> ~3 MB resident).
    The format: an 8-byte little-endian header length, a JSON header, then the raw data."""
    import json

    import numpy as np
    with path.open("rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    entry = header[name]
    dtypes = {"F16": np.float16, "F32": np.float32, "BF16": None}
    dtype = dtypes.get(entry["dtype"])
    if dtype is None:
        raise ValueError(f"unsupported tensor type {entry['dtype']}")
    start, end = entry["data_offsets"]
    table = np.memmap(path, dtype=dtype, mode="r", offset=8 + size + start, shape=tuple(entry["shape"]))
    if table.nbytes != end - start:
        raise ValueError("tensor size does not match its header")
    return table


def _load_model() -> _StaticEmbedder | None:
    return _shared_model() if semantic_enabled() else None


@functools.lru_cache(maxsize=1)
def _shared_model() -> _StaticEmbedder | None:
    """One model per process, however many searchers (tests build hundreds); it is read-only."""
    spec = importlib.util.find_spec("wordllama")  # finds the wheel's files without running its code
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        return _StaticEmbedder(Path(next(iter(spec.submodule_search_locations))))
    except Exception as exc:  # noqa: BLE001 - a broken or partial install must never stop the bot answering
        log.warning("semantic search unavailable, answering lexically: %s", type(exc).__name__)
        return None


def _cached_embeddings(model: _StaticEmbedder, texts: list[str]) -> Any:
    """The content's embeddings, saved in the user's cache folder for the very same texts and model
    (start-up of `skillbot ask` otherwise spends a quarter of a second on them)."""
    import hashlib

    key = hashlib.sha256("\n".join([model.MODEL, *texts]).encode()).hexdigest()[:32]
    if key in _EMBEDDED:
        return _EMBEDDED[key]
    _EMBEDDED.clear()  # one content at a time
    _EMBEDDED[key] = embedded = _read_or_embed(model, texts, key)
    return embedded


def _read_or_embed(model: _StaticEmbedder, texts: list[str], key: str) -> Any:
    import numpy as np

    from bot.content.loader import cache_dir, save_in_cache
    folder = cache_dir()
    path = folder / f"meaning-{key}.npy" if folder else None
    if path is not None:
        try:
            saved = np.load(path, allow_pickle=False)
            if saved.shape[0] == len(texts):
                return saved
        except (OSError, ValueError):
            pass
    embedded = model.embed(texts)
    if path is not None:
        save_in_cache(path, lambda tmp: np.save(tmp, embedded, allow_pickle=False))
    return embedded


class Semantic:
    """Similarity of a question to every document, from its views' embeddings."""

    def __init__(self, model: _StaticEmbedder, views: Sequence[tuple[int, str]], documents: int):
        import numpy as np

        self._np = np
        self._model = model
        ordered = sorted(range(len(views)), key=lambda i: views[i][0])  # each document's views side by side
        owners = np.array([views[i][0] for i in ordered])
        if set(owners.tolist()) != set(range(documents)):
            raise ValueError("every document needs at least one view")
        self._starts = np.searchsorted(owners, np.arange(documents))
        self._counts = np.bincount(owners, minlength=documents)
        self._views = _cached_embeddings(model, [views[i][1] for i in ordered])
        self._last: tuple[str, Any] | None = None

    @functools.cached_property
    def _everyday(self) -> Any:
        from bot.content.everyday import EVERYDAY_DOMAINS
        return self._model.embed(list(EVERYDAY_DOMAINS))

    def everyday_closeness(self, text: str) -> float:
        """How close the question is to the nearest domain of everyday life (cooking, cars, music...)."""
        return float((self._everyday @ self._query(text)).max())

    def _query(self, text: str) -> Any:
        """The question's embedding; the last one is kept, as search asks twice about the same question."""
        last = self._last  # one tuple, read and replaced whole: safe from any thread
        if last is not None and last[0] == text:
            return last[1]
        vector = self._model.embed([text])[0]
        self._last = (text, vector)
        return vector

    @classmethod
    def build(cls, views: Sequence[tuple[int, str]], documents: int) -> Semantic | None:
        model = _load_model()
        return cls(model, views, documents) if model is not None and views else None

    def similarities(self, text: str) -> list[float]:
        np = self._np
        sims = self._views @ self._query(text)
        best = np.maximum.reduceat(sims, self._starts)
        mean = np.add.reduceat(sims, self._starts) / self._counts
        return (0.5 * best + 0.5 * mean).tolist()
