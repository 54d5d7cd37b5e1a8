"""A person with activity across mediabase, and a bystander with the same kinds of activity, for
the erasure tests (tests/integration/test_erasure.py). Built through the services where a user
would act, and by SQL where the rows come from elsewhere (an integration's payload, a job)."""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from mediabase.analytics.ingest import ingest
from mediabase.analytics.models import ViewEventIn
from mediabase.collab import service as collab
from mediabase.collab.models import CommentCreate, CommentUpdate, QuoteCardCreate
from mediabase.common.errors import Unauthorized
from mediabase.config import Settings
from mediabase.db.connection import Database
from mediabase.identity import invitations, legal, sessions
from mediabase.identity import service as identity
from mediabase.identity.invitations import InvitationCreate
from mediabase.identity.legal import ConsentSet, DocumentCreate
from mediabase.identity.models import ApiKeyCreate, MemberAdd, OrganizationCreate, Principal, Role, UserCreate
from mediabase.identity.security import Client
from mediabase.insights import decisions
from mediabase.insights.models import DecisionCreate, DecisionUpdate
from mediabase.jobs import enqueue
from mediabase.knowledge.build import build_graph
from mediabase.mail.models import NewMessage
from mediabase.mail.service import queue_message
from mediabase.search.indexing import index_transcript
from tests.factories import make_video

PASSWORD = "correct horse battery staple"

CATALOG_TEXT_COLUMNS = """
SELECT c.oid::regclass::text AS tbl, a.attname::text AS col
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'mediabase'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND format_type(a.atttypid, NULL) IN ('text', 'character varying', 'character', 'jsonb', 'json', 'text[]',
                                         'character varying[]')
 ORDER BY 1, 2
"""


def occurrences(url: str, needles: list[str]) -> dict[str, set[str]]:
    """needle → {table.column} where it occurs (case-insensitively), over the whole schema."""
    found: dict[str, set[str]] = {}
    with psycopg.connect(url) as conn:
        conn.execute("SET search_path = mediabase")
        columns = conn.execute(CATALOG_TEXT_COLUMNS).fetchall()
        assert len(columns) > 300  # the catalog query sees the schema
        forms = [(n, f) for n in needles for f in {n.lower(), json.dumps(n, ensure_ascii=False)[1:-1].lower()}]
        for tbl, col in columns:
            c = psycopg.sql.Identifier(col)
            check = psycopg.sql.SQL("coalesce(bool_or(strpos(lower({c}::text), %s) > 0), false)").format(c=c)
            checks = psycopg.sql.SQL(", ").join(check for _ in forms)
            hits = conn.execute(psycopg.sql.SQL("SELECT {checks} FROM {t}").format(
                checks=checks, t=psycopg.sql.Identifier("mediabase", tbl.removeprefix("mediabase."))),
                [f for _, f in forms]).fetchone()
            for (needle, _), hit in zip(forms, hits or (), strict=True):
                if hit:
                    found.setdefault(needle, set()).add(f"{tbl}.{col}")
    return found


@dataclass
class Person:
    """Strings that name one person, unique enough that any occurrence is theirs."""

    tag: str
    email: str = ""
    username: str = ""
    name: str = ""
    comments: list[str] = field(default_factory=list)
    user_id: uuid.UUID = field(default_factory=lambda: uuid.UUID(int=0))
    personal_org: uuid.UUID = field(default_factory=lambda: uuid.UUID(int=0))

    def __post_init__(self) -> None:
        self.email = f"{self.tag}.person@example.org"
        self.username = f"{self.tag}user"
        self.name = f"{self.tag.title()} Quintessa-Vandermolen"
        self.comments = [f"{self.tag} first thought about the budget, line two\nwith a newline and \"quotes\"",
                         f"{self.tag} second remark, edited later", f"{self.tag} edited remark (new text)",
                         f"{self.tag} third remark, deleted by its author"]

    def needles(self) -> list[str]:
        return [self.email, self.username, self.name, *self.comments]


@dataclass
class World:
    slug: str
    org: uuid.UUID
    other_org: uuid.UUID
    subject: Person
    bystander: Person


async def _sql(system: Database, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    async with system.transaction() as conn:
        cur = await conn.execute(query, params or {})
        return await cur.fetchall() if cur.description else []


async def _person(system: Database, tag: str) -> tuple[Person, Principal]:
    person = Person(tag)
    user, personal = await identity.create_user(system, UserCreate(
        email=person.email, username=person.username, display_name=person.name))
    person.user_id, person.personal_org = user.id, personal.id
    return person, Principal(organization_id=personal.id, user_id=user.id, role=Role.OWNER)


async def build(db: Database, system: Database, settings: Settings, tag: str = "", *, graph: bool = True) -> World:
    """The world; ``tag`` (lowercase letters) keeps its names apart from another world's in the
    same database; ``graph`` False leaves the knowledge graph out (on Citus its build is a known
    gap: tests/acceptance/test_citus_knowledge.py)."""
    subject, subject_personal = await _person(system, "zorblax" + tag)
    bystander, bystander_personal = await _person(system, "quillon" + tag)
    personal = {subject.tag: subject_personal, bystander.tag: bystander_personal}
    owner_user, _ = await identity.create_user(system, UserCreate(email=f"owner{tag}@erasure.example.com",
                                                                  username=f"eowner{tag}"))
    org = await identity.create_organization(system, OrganizationCreate(name="Erasure Co", slug=f"erasure-co{tag}"),
                                             owner_user.id)
    other = await identity.create_organization(system, OrganizationCreate(name="Elsewhere", slug=f"elsewhere{tag}"),
                                               owner_user.id)
    owner = Principal(organization_id=org.id, user_id=owner_user.id, role=Role.OWNER)
    other_owner = Principal(organization_id=other.id, user_id=owner_user.id, role=Role.OWNER)
    principals: dict[str, Principal] = {}
    for person in (subject, bystander):
        await identity.add_member(db, system, owner, MemberAdd(email=person.email, role=Role.ADMIN))
        principals[person.tag] = Principal(organization_id=org.id, user_id=person.user_id, role=Role.ADMIN)
    client = Client("198.51.100.23", "Mozilla/5.0 (erasure tests)")

    # a video of the organization with both as speakers, indexed and in the knowledge graph
    video = await make_video(db, owner, title="Weekly sync", n=6)
    for person, label in ((subject, "A"), (bystander, "B")):
        rows = await _sql(system, "INSERT INTO mediabase.people (organization_id, name, user_id)"
                                  " VALUES (%(org)s, %(name)s, %(user)s) RETURNING id",
                          {"org": org.id, "name": person.name, "user": person.user_id})
        await _sql(system, "UPDATE mediabase.speakers SET display_name = %(name)s, person_id = %(person)s"
                           " WHERE organization_id = %(org)s AND video_id = %(video)s AND label = %(label)s",
                   {"name": person.name, "person": rows[0]["id"], "org": org.id, "video": video, "label": label})
    transcript = (await _sql(system, "SELECT id FROM mediabase.transcripts WHERE organization_id = %(org)s"
                                     " AND video_id = %(video)s", {"org": org.id, "video": video}))[0]["id"]
    await index_transcript(db, org.id, transcript, None, model="erasure-test")

    for person in (subject, bystander):
        p = principals[person.tag]
        # account: password, a session, a failed sign-in, a verification token, consents, terms
        await sessions.set_password(system, p, PASSWORD, operator=True)
        await sessions.sign_in(system, settings, person.email, PASSWORD, client, organization=f"erasure-co{tag}")
        with contextlib.suppress(Unauthorized):  # the failed attempt is what is wanted (a security event)
            await sessions.sign_in(system, settings, person.email, "wrong password", client)
        await sessions.issue_token(system, person.user_id, sessions.TokenKind.verify_email)
        await legal.set_consent(system, p, ConsentSet(purpose="marketing", granted=True), client=client)
        await identity.create_api_key(db, owner, ApiKeyCreate(name=f"{person.name}'s laptop", user_id=person.user_id))
        # comments: a live one, one edited, one deleted; the other replies (a notification)
        first = await collab.create_comment(db, p, video, CommentCreate(body=person.comments[0], position_ms=1000))
        second = await collab.create_comment(db, p, video, CommentCreate(body=person.comments[1]))
        await collab.update_comment(db, p, second.id, CommentUpdate(body=person.comments[2]))
        third = await collab.create_comment(db, p, video, CommentCreate(body=person.comments[3]))
        await collab.delete_comment(db, p, third.id)
        await collab.create_reaction(db, p, first.id, "👍")
        await collab.create_comment(db, owner, video, CommentCreate(body="reply from the owner", parent_id=first.id))
        # a decision they edit, an action item assigned to them, a quote card naming them
        d = await decisions.create_decision(db, owner, DecisionCreate(summary=f"Pick a vendor ({person.tag})",
                                                                       video_id=video))
        await decisions.update_decision(db, p, d.id, DecisionUpdate(summary=f"Pick vendor B ({person.tag})"))
        await _sql(system, "INSERT INTO mediabase.ai_action_items (organization_id, title, assignee, assignee_user_id,"
                           " video_id) VALUES (%(org)s, %(title)s, %(name)s, %(user)s, %(video)s)",
                   {"org": org.id, "title": f"Send the notes ({person.tag})", "name": person.name,
                    "user": person.user_id, "video": video})
        await collab.create_quote_card(db, owner, video, QuoteCardCreate(
            quote_text=f"We ship on Friday ({person.tag})", speaker=person.name, start_ms=1000))
        # views, mail, an invitation elsewhere, a job and an integration payload that name them
        await ingest(db, p, [ViewEventIn(kind="view", occurred_at=datetime.now(UTC) - timedelta(minutes=5),
                                         video_id=video, user_id=person.user_id)])
        async with system.transaction() as conn:
            await queue_message(conn, org.id, NewMessage(
                to_address=person.email, subject=f"Hello {person.name}", body_text=f"Dear {person.name}, welcome.",
                kind="welcome", dedupe_key=f"welcome:{person.tag}", recipient_user_id=person.user_id), max_attempts=3)
            await enqueue(conn, org_id=org.id, type="report.send", input={"to": person.email, "name": person.name})
        await invitations.create_invitation(db, other_owner, InvitationCreate(email=person.email))
        # their personal workspace has a video of its own
        await make_video(db, personal[person.tag], title=f"{person.name} diary", n=2)
        await legal_acceptance(system, p, client)
    if graph:
        await build_graph(db, org.id)
    return World(slug=org.slug, org=org.id, other_org=other.id, subject=subject, bystander=bystander)


async def legal_acceptance(system: Database, p: Principal, client: Client) -> None:
    docs = await legal.list_documents(system)
    if not any(d.kind == "terms" and d.version == "erasure-1" for d in docs):
        await legal.publish(system, DocumentCreate(kind="terms", version="erasure-1", title="Terms",
                                                   content="The terms.", effective_at=datetime.now(UTC)))
    await legal.accept(system, system, p, "terms", "erasure-1", client=client)
