"""Search over transcripts: keyword (PostgreSQL full text), semantic (pgvector) and hybrid.

    from mediabase.search import search, SearchRequest
    page = await search(db, principal, SearchRequest(q="remote control price", mode="hybrid"))

See docs/search.md.
"""

from mediabase.db.errors import Invalid, register_constraint
from mediabase.search.models import (
    Hit,
    Match,
    SearchFilters,
    SearchMode,
    SearchPage,
    SearchRequest,
    VideoGroup,
)
from mediabase.search.service import search
from mediabase.search.vectors import SemanticUnavailable

for _name, _message, _field in (
    ("transcript_chunks_embedding_dimension", "an embedding must have the dimension recorded with it",
     "embedding"),
    ("transcript_chunks_times_valid", "chunk times must satisfy 0 <= start_ms <= end_ms", "start_ms"),
    ("transcript_chunks_seq_valid", "chunk segments must satisfy 0 <= first_seq <= last_seq", "first_seq"),
):
    register_constraint(_name, Invalid, _message, field=_field)

__all__ = [
    "Hit",
    "Match",
    "SearchFilters",
    "SearchMode",
    "SearchPage",
    "SearchRequest",
    "SemanticUnavailable",
    "VideoGroup",
    "search",
]
