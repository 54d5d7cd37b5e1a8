"""The relevance cut-off of semantic and hybrid search (docs/search.md, "The cut-off").

A nearest-neighbour list always has a nearest neighbour, and reciprocal rank fusion gives every
candidate a score: without a cut-off a query that one moment answers comes back with nine more
that merely happened to be closest ("Yep.", "Okay."). Two rules, applied to the candidates before
any page is cut from them, so every page and cursor of a search sees the same list and the last
page that has relevant hits is the last page:

* ``min_similarity``: semantic candidates less similar to the query (cosine) are dropped, in
  semantic mode and from hybrid's semantic list (a keyword match still brings its moment in);
* ``score_floor``: hybrid hits whose fused score is below this share of the best hit's are dropped.

Both come from the request, else from the settings (MEDIABASE_SEARCH_MIN_SIMILARITY,
MEDIABASE_SEARCH_SCORE_FLOOR); -1 and 0 switch them off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from mediabase.config import Settings
from mediabase.search.models import SearchRequest


class Scored(Protocol):
    score: float


S = TypeVar("S", bound=Scored)


@dataclass(frozen=True, slots=True)
class CutOff:
    min_similarity: float  # -1: every chunk
    score_floor: float  # 0: every fused hit

    @classmethod
    def of(cls, req: SearchRequest, settings: Settings) -> CutOff:
        """The request's values, else the settings'."""
        return cls(settings.search_min_similarity if req.min_similarity is None else req.min_similarity,
                   settings.search_score_floor if req.score_floor is None else req.score_floor)

    def similar(self, semantic: Sequence[S]) -> list[S]:
        """The semantic candidates (score = cosine similarity) at or above ``min_similarity``."""
        if self.min_similarity <= -1:
            return list(semantic)
        return [c for c in semantic if c.score >= self.min_similarity]

    def floor(self, fused: Sequence[S]) -> list[S]:
        """The fused candidates (best first) scoring at least ``score_floor`` × the best score."""
        if self.score_floor <= 0 or not fused:
            return list(fused)
        least = self.score_floor * max(c.score for c in fused)
        return [c for c in fused if c.score >= least]

    def notice(self, left_out: int, *, hybrid: bool) -> str:
        """What the last page says when the cut-off left candidates out."""
        rules = f"min_similarity {self.min_similarity:g}" + (f", score_floor {self.score_floor:g}" if hybrid else "")
        return f"{left_out} less relevant match(es) left out by the cut-off ({rules}; lower it to see more)"
