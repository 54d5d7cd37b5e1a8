"""Small builders for tests: organizations with members and keys, videos with transcripts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from mediabase.db.connection import Database
from mediabase.identity import service as identity
from mediabase.identity.models import ApiKeyCreate, MemberAdd, OrganizationCreate, Principal, Role, UserCreate
from mediabase.media.models import VideoCreate
from mediabase.transcripts.formats import ParsedTranscript, Segment
from mediabase.transcripts.service import ingest_new_video
from tests.log_privacy import watch


@dataclass
class Tenant:
    slug: str
    owner: Principal
    member: Principal
    owner_key: str
    member_key: str


async def make_tenant(db: Database, system: Database, slug: str | None = None) -> Tenant:
    slug = slug or f"org-{uuid.uuid4().hex[:8]}"
    user, _ = await identity.create_user(system, UserCreate(email=f"owner@{slug}.example.com", username=f"own-{slug}"))
    org = await identity.create_organization(system, OrganizationCreate(name=slug.title(), slug=slug), user.id)
    owner = Principal(organization_id=org.id, user_id=user.id, role=Role.OWNER)
    await identity.add_member(db, system, owner, MemberAdd(email=f"member@{slug}.example.com", username=f"mem-{slug}"))
    m = await identity.user_by_email(system, f"member@{slug}.example.com")
    member = Principal(organization_id=org.id, user_id=m.id, role=Role.MEMBER)
    okey = await identity.create_api_key(db, owner, ApiKeyCreate(name="owner"))
    mkey = await identity.create_api_key(db, owner, ApiKeyCreate(name="member", user_id=m.id))
    watch(f"owner@{slug}.example.com", f"member@{slug}.example.com", okey.key, mkey.key)
    return Tenant(slug, owner, member, okey.key, mkey.key)


def transcript(n: int = 5, *, speakers: tuple[str, ...] = ("A", "B"), word: str = "hello") -> ParsedTranscript:
    return ParsedTranscript(
        format="json",
        source="test",
        segments=[
            Segment(
                start_ms=i * 1000, end_ms=i * 1000 + 900, text=f"{word} number {i}", speaker=speakers[i % len(speakers)]
            )
            for i in range(n)
        ],
    )


async def make_video(db: Database, p: Principal, title: str = "a video", n: int = 5, **kw: object) -> uuid.UUID:
    result = await ingest_new_video(db, p, VideoCreate(title=title, **kw), transcript(n))  # type: ignore[arg-type]
    return result.video_id
