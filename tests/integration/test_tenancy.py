"""Tenant isolation and the invariants of the identity, media and transcript schema."""

from __future__ import annotations

from uuid import uuid4

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.identity import service as identity
from mediabase.identity.models import MemberAdd, Role, UserCreate
from mediabase.media import service as media
from mediabase.media.models import GroupCreate, GroupKind, ProgressUpdate, VideoCreate, VideoFilter, VideoUpdate
from mediabase.transcripts import service as transcripts
from mediabase.transcripts.formats import ParsedTranscript, Segment
from tests.factories import Tenant, make_video, transcript


async def test_raw_sql_as_app_role_sees_only_its_tenant(
    db: Database, tenants: tuple[Tenant, Tenant], migrated_url: str
) -> None:
    a, b = tenants
    await make_video(db, a.owner, "alpha video")
    await make_video(db, b.owner, "bravo video")
    tables = [
        "organizations",
        "memberships",
        "api_keys",
        "videos",
        "video_tags",
        "transcripts",
        "transcript_segments",
        "speakers",
        "people",
        "channels",
        "series",
        "collections",
        "video_progress",
    ]
    with psycopg.connect(migrated_url) as conn:
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(a.owner.organization_id),))
        for table in tables:
            orgs = conn.execute(
                f"SELECT DISTINCT {'id' if table == 'organizations' else 'organization_id'} FROM mediabase.{table}"
            ).fetchall()
            assert set(orgs) <= {(a.owner.organization_id,)}, table
        assert conn.execute("SELECT title FROM mediabase.videos").fetchall() == [("alpha video",)]
        emails = {r[0] for r in conn.execute("SELECT email FROM mediabase.users")}
        assert emails == {"owner@alpha.example.com", "member@alpha.example.com"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT password_hash FROM mediabase.users")
        conn.rollback()
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(a.owner.organization_id),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # RLS WITH CHECK
            conn.execute(
                "INSERT INTO mediabase.videos (organization_id, title) VALUES (%s, 'x')", (b.owner.organization_id,)
            )
        conn.rollback()
        conn.execute("SET ROLE mediabase_app")  # no tenant set: nothing at all
        assert conn.execute("SELECT count(*) FROM mediabase.videos").fetchone() == (0,)


async def test_composite_foreign_keys_stop_cross_tenant_references(
    owner_db: Database, db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    b_channel = await media.create_group(db, b.owner, GroupKind.channels, GroupCreate(name="b chan"))
    # even the owner role (no RLS) cannot point an alpha video at bravo's channel
    with pytest.raises(NotFound, match="no such channel"):
        await media.create_video(owner_db, a.owner, VideoCreate(title="x", channel_id=b_channel.id))
    with pytest.raises(NotFound):
        await media.create_video(db, a.owner, VideoCreate(title="x", channel_id=b_channel.id))


async def test_other_tenants_ids_answer_not_found(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    vid = await make_video(db, b.owner, "secret")
    for call in (
        media.get_video(db, a.owner, vid),
        media.update_video(db, a.owner, vid, VideoUpdate(title="pwned")),
        media.delete_video(db, a.owner, vid),
        media.list_speakers(db, a.owner, vid),
        transcripts.list_segments(db, a.owner, vid),
        transcripts.ingest_transcript(db, a.owner, vid, transcript(2)),
        media.update_progress(db, a.owner, vid, ProgressUpdate(position_ms=1)),
    ):
        with pytest.raises(NotFound):
            await call
    assert (await media.get_video(db, b.owner, vid)).title == "secret"


async def test_roles(db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    with pytest.raises(Forbidden):
        await media.create_group(db, a.member, GroupKind.series, GroupCreate(name="s"))
    theirs = await make_video(db, a.owner, "owner's")
    mine = await make_video(db, a.member, "member's")
    with pytest.raises(Forbidden):
        await media.update_video(db, a.member, theirs, VideoUpdate(title="x"))
    assert (await media.update_video(db, a.member, mine, VideoUpdate(title="renamed"))).title == "renamed"
    assert (await media.update_video(db, a.owner, mine, VideoUpdate(description="d"))).description == "d"
    with pytest.raises(Forbidden):
        await identity.add_member(db, owner_db, a.member, MemberAdd(email="x@example.com"))
    with pytest.raises(Forbidden):
        await identity.list_api_keys(db, a.member)
    with pytest.raises(Conflict, match="at least one OWNER"):
        await identity.update_member(db, a.owner, a.owner.user_id, Role.ADMIN)


async def test_identity_uniqueness(owner_db: Database) -> None:
    await identity.create_user(owner_db, UserCreate(email="Ann@Example.com", username="ann"))
    with pytest.raises(Conflict, match="email"):
        await identity.create_user(owner_db, UserCreate(email="ann@example.COM", username="ann2"))
    with pytest.raises(Conflict, match="username"):
        await identity.create_user(owner_db, UserCreate(email="ann2@example.com", username="ANN"))


async def test_segment_invariants(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], migrated_url: str
) -> None:
    a, _ = tenants
    vid = await make_video(db, a.owner, "v", n=3, duration_ms=10_000)
    too_long = ParsedTranscript(
        format="json", source="late.json", segments=[Segment(start_ms=0, end_ms=10_001, text="x")]
    )
    with pytest.raises(Invalid, match="after the end of its video"):
        await transcripts.ingest_transcript(db, a.owner, vid, too_long)
    with pytest.raises(Invalid, match="shorter than the transcript"):
        await media.update_video(db, a.owner, vid, VideoUpdate(duration_ms=1000))
    backwards = ParsedTranscript(format="json", source="b.json", segments=[Segment(start_ms=5, end_ms=4, text="x")])
    with pytest.raises(Invalid, match="b.json"):
        await transcripts.ingest_transcript(db, a.owner, vid, backwards)
    # the database itself refuses what the service would have caught
    with psycopg.connect(migrated_url) as conn:
        (tid,) = conn.execute("SELECT id FROM mediabase.transcripts WHERE video_id = %s", (vid,)).fetchone()  # type: ignore[misc]
        for values, constraint in (
            ((5, 4, None), "transcript_segments_times_valid"),
            ((-1, 4, None), "transcript_segments_times_valid"),
            ((1, 4, 1.5), "transcript_segments_confidence_range"),
        ):
            with pytest.raises(psycopg.errors.CheckViolation) as err:
                conn.execute(
                    "INSERT INTO mediabase.transcript_segments (organization_id, transcript_id, video_id,"
                    " seq, start_ms, end_ms, confidence, text) VALUES (%s, %s, %s, 99, %s, %s, %s, 'x')",
                    (a.owner.organization_id, tid, vid, *values),
                )
            assert err.value.diag.constraint_name == constraint
            conn.rollback()
        other = await make_video(db, a.owner, "other")
        with pytest.raises(psycopg.errors.ForeignKeyViolation):  # video_id must be the transcript's video
            conn.execute(
                "INSERT INTO mediabase.transcript_segments (organization_id, transcript_id, video_id,"
                " seq, start_ms, end_ms, text) VALUES (%s, %s, %s, 99, 0, 1, 'x')",
                (a.owner.organization_id, tid, other),
            )


async def test_one_current_transcript_and_versions(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    vid = await make_video(db, a.owner, "v", n=2)
    await transcripts.ingest_transcript(db, a.owner, vid, transcript(4, word="second"))
    versions = await transcripts.list_transcripts(db, a.owner, vid)
    assert [(t.version, t.is_current) for t in versions] == [(2, True), (1, False)]
    current, segs = await transcripts.list_segments(db, a.owner, vid)
    assert current.version == 2 and segs[0].text == "second number 0"


async def test_failed_ingest_writes_nothing(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    bad = ParsedTranscript(
        format="json",
        source="bad.json",
        segments=[Segment(start_ms=0, end_ms=10, text="ok"), Segment(start_ms=0, end_ms=10, text="x", confidence=2.0)],
    )
    from mediabase.transcripts.service import ingest_new_video

    with pytest.raises(Invalid):
        await ingest_new_video(db, a.owner, VideoCreate(title="never"), bad)
    page = await media.list_videos(db, a.owner, VideoFilter())
    assert [v.title for v in page.items] == []


async def test_segments_by_time_range_and_speaker(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    vid = await make_video(db, a.owner, "v", n=10)
    _, segs = await transcripts.list_segments(db, a.owner, vid, from_ms=2500, to_ms=5000)
    assert [s.start_ms for s in segs] == [2000, 3000, 4000]
    speakers = await media.list_speakers(db, a.owner, vid)
    assert {s.label: s.segment_count for s in speakers} == {"A": 5, "B": 5}
    b_id = next(s.id for s in speakers if s.label == "B")
    _, only_b = await transcripts.list_segments(db, a.owner, vid, speaker_id=b_id)
    assert {s.speaker for s in only_b} == {"B"} and len(only_b) == 5
    with pytest.raises(Invalid):
        await transcripts.list_segments(db, a.owner, vid, from_ms=10, to_ms=5)


async def test_video_listing_cursor_filters_soft_delete(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    ids = [await make_video(db, a.owner, f"v{i}", n=1, tags=["even" if i % 2 == 0 else "odd"]) for i in range(5)]
    page1 = await media.list_videos(db, a.owner, VideoFilter(), limit=2)
    page2 = await media.list_videos(db, a.owner, VideoFilter(), limit=2, cursor=page1.next_cursor)
    page3 = await media.list_videos(db, a.owner, VideoFilter(), limit=2, cursor=page2.next_cursor)
    seen = [v.id for v in page1.items + page2.items + page3.items]
    assert seen == list(reversed(ids)) and page3.next_cursor is None
    evens = await media.list_videos(db, a.owner, VideoFilter(tag="EVEN"))
    assert len(evens.items) == 3
    await media.delete_video(db, a.owner, ids[0])
    assert ids[0] not in [v.id for v in (await media.list_videos(db, a.owner, VideoFilter())).items]
    assert [v.id for v in (await media.list_videos(db, a.owner, VideoFilter(deleted=True))).items] == [ids[0]]
    with pytest.raises(NotFound):
        await media.get_video(db, a.owner, ids[0])
    assert (await media.restore_video(db, a.owner, ids[0])).deleted_at is None
    with pytest.raises(Invalid, match="cursor"):
        await media.list_videos(db, a.owner, VideoFilter(), cursor="garbage!")


async def test_progress_upsert_and_bounds(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    vid = await make_video(db, a.owner, "v", n=2, duration_ms=60_000)
    await media.update_progress(db, a.member, vid, ProgressUpdate(position_ms=1000))
    p = await media.update_progress(db, a.member, vid, ProgressUpdate(position_ms=2000, completed=True))
    assert (p.position_ms, p.completed) == (2000, True)
    with pytest.raises(Invalid, match="past the end"):
        await media.update_progress(db, a.member, vid, ProgressUpdate(position_ms=60_001))
    with pytest.raises(NotFound):
        await media.get_progress(db, a.owner, vid)


async def test_tags_unique_case_insensitively(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    vid = await make_video(db, a.owner, "v", n=1, tags=["Design"])
    video = await media.update_tags(db, a.owner, vid, add=["design", "remote"], remove=[])
    assert video.tags == ["Design", "remote"]


async def test_export_import_round_trip_keeps_times_and_text(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    from mediabase.transcripts.models import ExportFormat
    from mediabase.transcripts.service import parse_file

    a, _ = tenants
    parsed = ParsedTranscript(
        format="json",
        source="t",
        segments=[
            Segment(start_ms=0, end_ms=1234, text="Héllo, wörld", speaker="Ann"),
            Segment(start_ms=1000, end_ms=3_600_000 + 5, text="two\nlines", speaker="Bob"),
            Segment(start_ms=3_600_000 + 6, end_ms=3_600_000 + 6, text="zero length", speaker=None),
        ],
    )
    from mediabase.transcripts.service import ingest_new_video

    vid = (await ingest_new_video(db, a.owner, VideoCreate(title="rt"), parsed)).video_id
    for fmt in ExportFormat:
        text = await transcripts.export_transcript(db, a.owner, vid, fmt)
        again = parse_file(text.encode(), source=f"x.{fmt.value}", fmt=fmt.value)
        assert [(s.start_ms, s.end_ms, s.text) for s in again.segments] == [
            (s.start_ms, s.end_ms, s.text) for s in parsed.segments
        ], fmt
        if fmt is not ExportFormat.srt:
            assert [s.speaker for s in again.segments] == ["Ann", "Bob", None]


@pytest.mark.parametrize("bad", ["", "   ", "x" * 501])
def test_video_title_checked(bad: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        VideoCreate(title=bad)


async def test_database_rejects_what_models_would(owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    cases = [
        ("INSERT INTO videos (organization_id, title) VALUES (%s, '  ')", "videos_title_length"),
        (
            "INSERT INTO videos (organization_id, title, duration_ms) VALUES (%s, 't', -1)",
            "videos_duration_nonnegative",
        ),
        (
            "INSERT INTO videos (organization_id, title, processing_status) VALUES (%s, 't', 'done')",
            "videos_processing_status_valid",
        ),
        (
            "INSERT INTO videos (organization_id, title, processing_error) VALUES (%s, 't', 'boom')",
            "videos_error_only_when_failed",
        ),
        ("INSERT INTO videos (organization_id, title, language) VALUES (%s, 't', 'English')", "videos_language_format"),
        ("INSERT INTO videos (organization_id, title, metadata) VALUES (%s, 't', '[]')", "videos_metadata_object"),
        (
            "INSERT INTO memberships (organization_id, user_id, role) SELECT %s, id, 'KING' FROM users LIMIT 1",
            "memberships_role_valid",
        ),
    ]
    for stmt, constraint in cases:
        with pytest.raises(Invalid) as err:
            async with owner_db.transaction() as conn:
                await conn.execute(stmt, (org,))  # type: ignore[arg-type]
        assert err.value.extra.get("constraint") == constraint, stmt
    with pytest.raises(Conflict):
        async with owner_db.transaction() as conn:
            await conn.execute(
                "INSERT INTO memberships (organization_id, user_id) VALUES (%s, %s)", (org, a.member.user_id)
            )
    with pytest.raises(NotFound):
        async with owner_db.transaction() as conn:
            await conn.execute(
                "INSERT INTO video_tags (organization_id, video_id, tag) VALUES (%s, %s, 't')", (org, uuid4())
            )


TENANT_TABLES = [
    "memberships",
    "api_keys",
    "videos",
    "video_tags",
    "transcripts",
    "transcript_segments",
    "speakers",
    "people",
    "channels",
    "series",
    "collections",
    "video_progress",
]


@pytest.fixture
async def populated(db: Database, tenants: tuple[Tenant, Tenant]) -> tuple[Tenant, Tenant]:
    from mediabase.media.models import PersonCreate

    for t in tenants:
        vid = await make_video(db, t.owner, f"{t.slug} video", tags=[t.slug])
        await media.update_progress(db, t.member, vid, ProgressUpdate(position_ms=5))
        await media.create_person(db, t.owner, PersonCreate(name=f"{t.slug} person"))
        for kind in GroupKind:
            await media.create_group(db, t.owner, kind, GroupCreate(name=f"{t.slug} {kind.value}"))
    return tenants


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.sampled_from(TENANT_TABLES),
    tenant=st.integers(0, 1),
    action=st.sampled_from(["select", "update", "delete", "select_unset"]),
)
def test_raw_sql_property(
    populated: tuple[Tenant, Tenant], migrated_url: str, table: str, tenant: int, action: str
) -> None:
    me, other = populated[tenant].owner.organization_id, populated[1 - tenant].owner.organization_id
    with psycopg.connect(migrated_url) as conn:
        conn.execute("SET ROLE mediabase_app")
        if action != "select_unset":
            conn.execute("SELECT set_config('mediabase.organization_id', %s, true)", (str(me),))
        t = sql.Identifier("mediabase", table)
        if action in ("select", "select_unset"):
            orgs = {r[0] for r in conn.execute(sql.SQL("SELECT organization_id FROM {}").format(t))}
            assert orgs == (set() if action == "select_unset" else {me}), table
        elif action == "update":
            cur = conn.execute(
                sql.SQL("UPDATE {} SET organization_id = organization_id WHERE organization_id = %s").format(t),
                (other,),
            )
            assert cur.rowcount == 0
        else:
            cur = conn.execute(sql.SQL("DELETE FROM {} WHERE organization_id = %s").format(t), (other,))
            assert cur.rowcount == 0
        conn.rollback()
