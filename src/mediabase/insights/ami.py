"""The AMI corpus's meeting annotations as AI layers: summaries, decisions, action items, topics.

The AMI Meeting Corpus (NXT XML) annotates each scenario meeting with

- ``abstractive/<meeting>.abssumm.xml``: sentences in ``<abstract>``, ``<actions>``,
  ``<decisions>`` and ``<problems>``;
- ``extractive/<meeting>.summlink.xml``: links from each abstractive sentence to the dialogue
  acts that support it (``dialogueActs/<meeting>.<agent>.dialog-act.xml``), whose words
  (``words/<meeting>.<agent>.words.xml``) carry start and end times;
- ``topics/<meeting>.topic.xml``: a (nested) topic segmentation, each topic a set of word
  ranges, named by ``other_description`` or by the topic ontology (``ontologies/default-topics.xml``).

A decision's or action item's moment is the earliest dialogue act linked to its sentence
(where the discussion that led to it starts): position = that act's first word, excerpt = its
words. A topic's mention spans the words of its own ranges (or of its sub-topics when it has
none of its own).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.identity.models import Principal
from mediabase.insights.layers import Q, insert_layer
from mediabase.insights.models import (
    ActionItemIn,
    DecisionIn,
    LayerCreate,
    LayerKind,
    SummaryIn,
    TopicMentionIn,
)

SOURCE = "AMI annotations"
MODEL = "AMI manual annotations"
MODEL_VERSION = "1.6.2"

_NITE = "{http://nite.sourceforge.net/}"
_HREF = re.compile(r"([^#]+)#id\(([^()]+)\)(?:\.\.id\(([^()]+)\))?")
_ROLES = (
    ("project manager", "Project Manager"),
    ("industrial designer", "Industrial Designer"),
    ("user interface designer", "User Interface Designer"),
    ("interface specialist", "User Interface Designer"),
    ("marketing expert", "Marketing Expert"),
    ("marketing executive", "Marketing Expert"),
    ("team", "Team"),
)


@dataclass(slots=True)
class Span:
    start_ms: int
    end_ms: int
    text: str


@dataclass(slots=True)
class Sentence:
    id: str
    text: str
    span: Span | None  # the earliest linked dialogue act


@dataclass(slots=True)
class TopicSpan:
    name: str
    start_ms: int
    end_ms: int


@dataclass(slots=True)
class MeetingAnnotations:
    meeting_id: str
    abstract: list[Sentence] = field(default_factory=list)
    actions: list[Sentence] = field(default_factory=list)
    decisions: list[Sentence] = field(default_factory=list)
    problems: list[Sentence] = field(default_factory=list)
    topics: list[TopicSpan] = field(default_factory=list)


def _parse(path: Path) -> ET.Element:
    # corpus files shipped with the package; ElementTree fetches no external entities
    return ET.parse(path).getroot()  # noqa: S314


class _Corpus:
    """Lazily read words and dialogue-act files of one meeting, with their id order."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.words: dict[str, tuple[list[str], dict[str, int], list[tuple[int | None, int | None, str, bool]]]] = {}
        self.acts: dict[str, tuple[list[str], dict[str, int], dict[str, list[str]]]] = {}

    def _words(self, name: str) -> tuple[list[str], dict[str, int], list[tuple[int | None, int | None, str, bool]]]:
        if name not in self.words:
            ids: list[str] = []
            items: list[tuple[int | None, int | None, str, bool]] = []
            for elem in _parse(self.root / "words" / name):
                nid = elem.get(f"{_NITE}id")
                if nid is None:
                    continue
                start, end = elem.get("starttime"), elem.get("endtime")
                ids.append(nid)
                items.append(
                    (
                        round(float(start) * 1000) if start else None,
                        round(float(end) * 1000) if end else None,
                        (elem.text or "").strip() if elem.tag == "w" else "",
                        elem.get("punc") == "true",
                    )
                )
            self.words[name] = (ids, {n: i for i, n in enumerate(ids)}, items)
        return self.words[name]

    def word_range(self, href: str) -> list[tuple[int | None, int | None, str, bool]]:
        m = _HREF.fullmatch(href)
        if m is None:
            return []
        _, index, items = self._words(m[1])
        a, b = index.get(m[2]), index.get(m[3] or m[2])
        if a is None or b is None or b < a:
            return []
        return items[a : b + 1]

    def _acts(self, name: str) -> tuple[list[str], dict[str, int], dict[str, list[str]]]:
        if name not in self.acts:
            order: list[str] = []
            children: dict[str, list[str]] = {}
            for dact in _parse(self.root / "dialogueActs" / name).iter("dact"):
                nid = dact.get(f"{_NITE}id", "")
                order.append(nid)
                children[nid] = [c.get("href", "") for c in dact.iter(f"{_NITE}child")]
            self.acts[name] = (order, {n: i for i, n in enumerate(order)}, children)
        return self.acts[name]

    def act_spans(self, href: str) -> list[Span]:
        """The dialogue acts an extractive pointer names (one, or a range), with times and text."""
        m = _HREF.fullmatch(href)
        if m is None:
            return []
        order, index, children = self._acts(m[1])
        a, b = index.get(m[2]), index.get(m[3] or m[2])
        if a is None or b is None or b < a:
            return []
        spans = []
        for act in order[a : b + 1]:
            words = [w for h in children[act] for w in self.word_range(h)]
            starts = [w[0] for w in words if w[0] is not None]
            ends = [w[1] for w in words if w[1] is not None]
            if not starts or not ends:
                continue
            text = "".join((" " if i and not punc else "") + t for i, (_, _, t, punc) in enumerate(words) if t).strip()
            spans.append(Span(min(starts), max(ends), text))
        return spans


def _topic_names(root: Path) -> dict[str, str]:
    path = root / "ontologies" / "default-topics.xml"
    if not path.is_file():
        return {}
    return {e.get(f"{_NITE}id", ""): e.get("name", "") for e in _parse(path).iter("topicname")}


def _topics(corpus: _Corpus, meeting_id: str, names: dict[str, str]) -> list[TopicSpan]:
    path = corpus.root / "topics" / f"{meeting_id}.topic.xml"
    if not path.is_file():
        return []
    found: list[TopicSpan] = []

    def visit(elem: ET.Element) -> tuple[int, int] | None:
        own = [w for c in elem.findall(f"{_NITE}child") for w in corpus.word_range(c.get("href", ""))]
        spans = [s for s in (visit(sub) for sub in elem.findall("topic")) if s is not None]
        starts = [w[0] for w in own if w[0] is not None]
        ends = [w[1] for w in own if w[1] is not None]
        span = (
            (min(starts), max(ends))
            if starts and ends
            else ((min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None)
        )
        pointer = elem.find(f"{_NITE}pointer")
        ref = _HREF.fullmatch(pointer.get("href", "")) if pointer is not None else None
        name = elem.get("other_description") or (names.get(ref[2], "") if ref else "")
        if span is not None and name and name != "other":
            found.append(TopicSpan(name, span[0], span[1]))
        return span

    for top in _parse(path).findall("topic"):
        visit(top)
    found.sort(key=lambda t: (t.start_ms, t.end_ms, t.name))
    return found


def read_meeting(root: Path, meeting_id: str) -> MeetingAnnotations | None:
    """The annotations of one meeting, or None when the corpus has no abstractive summary of it."""
    abstractive = root / "abstractive" / f"{meeting_id}.abssumm.xml"
    if not abstractive.is_file():
        return None
    corpus = _Corpus(root)
    links: dict[str, list[str]] = {}
    summlink = root / "extractive" / f"{meeting_id}.summlink.xml"
    if summlink.is_file():
        for link in _parse(summlink).iter("summlink"):
            ext = abs_ = None
            for ptr in link.iter(f"{_NITE}pointer"):
                if ptr.get("role") == "extractive":
                    ext = ptr.get("href")
                elif ptr.get("role") == "abstractive":
                    abs_ = ptr.get("href")
            m = _HREF.fullmatch(abs_ or "")
            if ext and m:
                links.setdefault(m[2], []).append(ext)
    out = MeetingAnnotations(meeting_id)
    for section in ("abstract", "actions", "decisions", "problems"):
        for block in _parse(abstractive).iter(section):
            for s in block.iter("sentence"):
                text = " ".join((s.text or "").split())
                if not text or text == "*NA*":
                    continue
                sid = s.get(f"{_NITE}id", "")
                spans = [sp for href in links.get(sid, []) for sp in corpus.act_spans(href)]
                first = min(spans, key=lambda sp: (sp.start_ms, sp.end_ms)) if spans else None
                getattr(out, section).append(Sentence(sid, text, first))
    out.topics = _topics(corpus, meeting_id, _topic_names(root))
    return out


def assignee(sentence: str) -> str | None:
    """'The industrial designer will …' -> 'Industrial Designer'."""
    m = re.match(r"^(?:the|some)\s+(.+?)\s+(?:will|is to|should|has to)\b", sentence, re.I)
    if m is None:
        return None
    subject = m[1].lower()
    return next((label for key, label in _ROLES if key in subject), None)


def _sentence(s: str) -> str:
    return s if s.endswith((".", "?", "!")) else s + "."


def layers(a: MeetingAnnotations) -> Iterator[LayerCreate]:
    """The AI layers (summary, decisions, action_items, topics) of one meeting's annotations."""
    common = {
        "model": MODEL,
        "model_version": MODEL_VERSION,
        "source": SOURCE,
        "parameters": {"corpus": "AMI", "meeting_id": a.meeting_id},
    }
    if a.abstract:
        yield LayerCreate(
            kind=LayerKind.summary,
            **common,
            summary=SummaryIn(
                summary=" ".join(_sentence(s.text) for s in a.abstract),
                key_points=[f"Open question: {_sentence(s.text)}" for s in a.problems],
                language="en",
            ),
        )
    if a.decisions:
        yield LayerCreate(
            kind=LayerKind.decisions,
            **common,
            decisions=[
                DecisionIn(
                    summary=_sentence(s.text),
                    position_ms=s.span.start_ms if s.span else None,
                    context=f"“{s.span.text}”" if s.span and s.span.text else None,
                )
                for s in a.decisions
            ],
        )
    if a.actions:
        yield LayerCreate(
            kind=LayerKind.action_items,
            **common,
            action_items=[
                ActionItemIn(
                    title=_sentence(s.text),
                    assignee=assignee(s.text),
                    start_ms=s.span.start_ms if s.span else None,
                    end_ms=s.span.end_ms if s.span else None,
                    extracted_from=s.span.text[:5000] if s.span and s.span.text else None,
                )
                for s in a.actions
            ],
        )
    if a.topics:
        yield LayerCreate(
            kind=LayerKind.topics,
            **common,
            topics=[TopicMentionIn(topic=t.name[:200], start_ms=t.start_ms, end_ms=t.end_ms) for t in a.topics],
        )


# Decisions of later meetings that replace earlier ones (sentence ids of the abstractive
# summaries), so the demo shows supersession: ES2002b chose regular batteries, ES2002c a
# kinetic battery, ES2002d dropped it again; rubber buttons became push buttons.
DEMO_SUPERSEDES: tuple[tuple[str, str, str], ...] = (
    ("ES2002c.rdhillon.s.15", "supersedes", "ES2002b.rdhillon.s.17"),
    ("ES2002d.rdhillon.s.9", "supersedes", "ES2002c.rdhillon.s.15"),
    ("ES2002d.rdhillon.s.12", "supersedes", "ES2002c.rdhillon.s.16"),
    ("ES2002d.rdhillon.s.13", "related", "ES2002c.rdhillon.s.14"),
)


async def load_annotations(system: Database, p: Principal, root: Path) -> tuple[int, int, list[str]]:
    """Load the annotations of every AMI meeting video of ``p``'s organization as AI layers.

    Idempotent: a video that already has a ready layer of a kind from this source keeps it.
    Returns (layers loaded, decision links made, the ids of the decisions and action items the
    corpus links to no dialogue act, which therefore have no moment in their video).
    """
    loaded = linked = 0
    unplaced: list[str] = []
    org = p.organization_id
    async with system.transaction(org, p.user_id) as conn:
        videos = {r["meeting"]: r["id"] for r in await (await conn.execute(Q.ami_videos, {"org": org})).fetchall()}
    texts: dict[str, tuple[UUID, str]] = {}
    for meeting_id in sorted(videos):
        annotations = read_meeting(root, meeting_id)
        if annotations is None:
            continue
        video_id = videos[meeting_id]
        unplaced += [s.id for s in (*annotations.decisions, *annotations.actions) if s.span is None]
        texts.update({s.id: (video_id, _sentence(s.text)) for s in annotations.decisions})
        async with system.transaction(org, p.user_id) as conn:
            have = {
                r["kind"]
                for r in await (
                    await conn.execute(Q.ami_layers, {"org": org, "video_id": video_id, "source": SOURCE})
                ).fetchall()
            }
            for layer in layers(annotations):
                if layer.kind.value not in have:
                    await insert_layer(conn, p, video_id, layer)
                    loaded += 1
    async with system.transaction(org, p.user_id) as conn:
        for source_id, link_type, target_id in DEMO_SUPERSEDES:
            if source_id not in texts or target_id not in texts:
                continue
            row = await (
                await conn.execute(
                    Q.ami_link,
                    {
                        "org": org,
                        "source_video": texts[source_id][0],
                        "source_summary": texts[source_id][1],
                        "target_video": texts[target_id][0],
                        "target_summary": texts[target_id][1],
                        "link_type": link_type,
                        "user_id": p.user_id,
                        "source": SOURCE,
                    },
                )
            ).fetchone()
            linked += 1 if row else 0
    return loaded, linked, unplaced
