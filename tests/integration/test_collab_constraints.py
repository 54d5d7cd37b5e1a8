"""Every invariant of 0007_collab.sql, tried and broken: each statement here must be refused
by a constraint or a trigger (and the right one), or be corrected by a trigger, even as the
owner role that row-level security does not stop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from mediabase.db.connection import Database
from mediabase.db.errors import MediabaseError
from tests.factories import Tenant, make_video


@dataclass
class World:
    a: Tenant
    b: Tenant
    va: UUID  # alpha's video, 60 s
    va2: UUID  # alpha's second video, 60 s
    vb: UUID  # bravo's video

    @property
    def org(self) -> UUID:
        return self.a.owner.organization_id

    @property
    def user(self) -> UUID:
        return self.a.owner.user_id


@pytest.fixture
async def w(db: Database, tenants: tuple[Tenant, Tenant]) -> World:
    a, b = tenants
    return World(
        a,
        b,
        await make_video(db, a.owner, "va", duration_ms=60_000),
        await make_video(db, a.owner, "va2", duration_ms=60_000),
        await make_video(db, b.owner, "vb"),
    )


async def run(db: Database, w: World, stmt: str, *params: Any, setup: str | None = None) -> list[dict[str, Any]]:
    async with db.transaction(w.org, w.user) as conn:
        if setup:
            await conn.execute(setup)
        cur = await conn.execute(stmt, params)
        return await cur.fetchall() if cur.description else []


async def refused(
    db: Database, w: World, constraint: str, stmt: str, *params: Any, setup: str | None = None
) -> MediabaseError:
    """The statement fails, naming ``constraint``, and writes nothing (``setup`` runs first, in
    the same transaction, e.g. to switch off a trigger and reach the check behind it)."""
    with pytest.raises(MediabaseError) as info:
        await run(db, w, stmt, *params, setup=setup)
    assert info.value.extra.get("constraint") == constraint, (info.value, info.value.extra)
    return info.value


async def one(db: Database, w: World, stmt: str, *params: Any) -> Any:
    rows = await run(db, w, stmt, *params)
    assert len(rows) == 1
    return next(iter(rows[0].values()))


# -- AI layers ------------------------------------------------------------------------------------


async def layer(db: Database, w: World, video: UUID, kind: str = "decisions", status: str = "ready") -> UUID:
    lid: UUID = await one(
        db,
        w,
        "INSERT INTO ai_layers (organization_id, video_id, kind, model, status)"
        " VALUES (%s, %s, %s, 'm', %s) RETURNING id",
        w.org,
        video,
        kind,
        status,
    )
    return lid


async def test_layers_one_ready_per_video_and_kind_supersedes(owner_db: Database, w: World) -> None:
    first = await layer(owner_db, w, w.va)
    second = await layer(owner_db, w, w.va)
    rows = await run(
        owner_db, w, "SELECT id, status, superseded_by FROM ai_layers WHERE video_id = %s ORDER BY id", w.va
    )
    assert [(r["id"], r["status"], r["superseded_by"]) for r in rows] == [
        (first, "superseded", second),
        (second, "ready", None),
    ]
    # rolling back to the first run supersedes the second
    await run(owner_db, w, "UPDATE ai_layers SET status = 'ready' WHERE id = %s", first)
    assert await one(owner_db, w, "SELECT status FROM ai_layers WHERE id = %s", second) == "superseded"
    # the unique index itself, behind the trigger
    await refused(
        owner_db,
        w,
        "ai_layers_one_ready",
        "INSERT INTO ai_layers (organization_id, video_id, kind, model, status, completed_at)"
        " VALUES (%s, %s, 'decisions', 'm', 'ready', now())",
        w.org,
        w.va,
        setup="ALTER TABLE ai_layers DISABLE TRIGGER ai_layers_activate",
    )


async def test_layer_status_workflow_and_columns(owner_db: Database, w: World) -> None:
    lid = await layer(owner_db, w, w.va, status="pending")
    await refused(
        owner_db, w, "ai_layers_status_transition", "UPDATE ai_layers SET status = 'superseded' WHERE id = %s", lid
    )
    await refused(
        owner_db,
        w,
        "ai_layers_status_transition",
        "INSERT INTO ai_layers (organization_id, video_id, kind, model, status)"
        " VALUES (%s, %s, 'topics', 'm', 'failed')",
        w.org,
        w.va,
    )
    await run(owner_db, w, "UPDATE ai_layers SET status = 'running' WHERE id = %s", lid)
    await refused(
        owner_db, w, "ai_layers_error_only_when_failed", "UPDATE ai_layers SET error = 'x' WHERE id = %s", lid
    )
    await run(owner_db, w, "UPDATE ai_layers SET status = 'failed', error = 'x' WHERE id = %s", lid)
    assert await one(owner_db, w, "SELECT completed_at IS NOT NULL FROM ai_layers WHERE id = %s", lid)
    await refused(
        owner_db, w, "ai_layers_status_transition", "UPDATE ai_layers SET status = 'ready' WHERE id = %s", lid
    )
    await refused(owner_db, w, "ai_layers_immutable", "UPDATE ai_layers SET kind = 'summary' WHERE id = %s", lid)
    await refused(owner_db, w, "ai_layers_immutable", "UPDATE ai_layers SET video_id = %s WHERE id = %s", w.va2, lid)
    await refused(
        owner_db,
        w,
        "ai_layers_kind_valid",
        "INSERT INTO ai_layers (organization_id, video_id, kind, model) VALUES (%s, %s, 'poems', 'm')",
        w.org,
        w.va,
    )
    await refused(
        owner_db,
        w,
        "ai_layers_superseded_by_only_when_superseded",
        "UPDATE ai_layers SET superseded_by = %s WHERE id = %s",
        await layer(owner_db, w, w.va2),
        lid,
    )
    # a layer's transcript is a transcript of its own video
    other = await one(owner_db, w, "SELECT id FROM transcripts WHERE video_id = %s", w.va2)
    await refused(
        owner_db,
        w,
        "ai_layers_transcript_fk",
        "INSERT INTO ai_layers (organization_id, video_id, kind, model, transcript_id)"
        " VALUES (%s, %s, 'summary', 'm', %s)",
        w.org,
        w.va,
        other,
    )


async def test_derived_rows_point_at_a_layer_of_their_kind_and_video(owner_db: Database, w: World) -> None:
    summary_layer = await layer(owner_db, w, w.va, "summary")
    items_layer = await layer(owner_db, w, w.va, "action_items")
    await refused(
        owner_db,
        w,
        "decisions_layer_fk",
        "INSERT INTO decisions (organization_id, summary, video_id, layer_id) VALUES (%s, 'x', %s, %s)",
        w.org,
        w.va,
        summary_layer,
    )
    await refused(
        owner_db,
        w,
        "ai_action_items_layer_fk",
        "INSERT INTO ai_action_items (organization_id, video_id, layer_id, title) VALUES (%s, %s, %s, 'x')",
        w.org,
        w.va2,
        items_layer,
    )
    await refused(
        owner_db,
        w,
        "ai_summaries_layer_fk",
        "INSERT INTO ai_summaries (organization_id, layer_id, video_id, summary) VALUES (%s, %s, %s, 'x')",
        w.org,
        items_layer,
        w.va,
    )
    await refused(
        owner_db,
        w,
        "ai_summaries_layer_kind",
        "INSERT INTO ai_summaries (organization_id, layer_id, video_id, summary, layer_kind)"
        " VALUES (%s, %s, %s, 'x', 'action_items')",
        w.org,
        items_layer,
        w.va,
    )
    decisions_layer = await layer(owner_db, w, w.va, "decisions")
    await refused(
        owner_db,
        w,
        "decisions_layer_video",
        "INSERT INTO decisions (organization_id, summary, video_id, layer_id) VALUES (%s, 'x', %s, %s)",
        w.org,
        w.va2,
        decisions_layer,
    )
    await run(
        owner_db,
        w,
        "INSERT INTO ai_summaries (organization_id, layer_id, video_id, summary) VALUES (%s, %s, %s, 's')",
        w.org,
        summary_layer,
        w.va,
    )
    await refused(
        owner_db,
        w,
        "ai_summaries_pkey",  # one summary per layer
        "INSERT INTO ai_summaries (organization_id, layer_id, video_id, summary) VALUES (%s, %s, %s, 't')",
        w.org,
        summary_layer,
        w.va,
    )
    await refused(
        owner_db,
        w,
        "ai_layers_artifact_uri_format",
        "UPDATE ai_layers SET artifact_uri = 'no scheme' WHERE id = %s",
        summary_layer,
    )
    # a layer is deleted as a unit
    await run(
        owner_db,
        w,
        "INSERT INTO ai_action_items (organization_id, video_id, layer_id, title) VALUES (%s, %s, %s, 'x')",
        w.org,
        w.va,
        items_layer,
    )
    await run(
        owner_db,
        w,
        "INSERT INTO decisions (organization_id, summary, video_id, layer_id) VALUES (%s, 'd', %s, %s)",
        w.org,
        w.va,
        decisions_layer,
    )
    await run(owner_db, w, "DELETE FROM ai_layers WHERE id = ANY(%s)", [items_layer, decisions_layer])
    assert await one(owner_db, w, "SELECT count(*) FROM ai_action_items WHERE organization_id = %s", w.org) == 0
    assert await one(owner_db, w, "SELECT count(*) FROM decisions WHERE organization_id = %s", w.org) == 0


# -- comments and reactions -------------------------------------------------------------------------


async def comment(db: Database, w: World, video: UUID, parent: UUID | None = None, body: str = "hi") -> UUID:
    cid: UUID = await one(
        db,
        w,
        "INSERT INTO comments (organization_id, video_id, parent_id, author_id, body)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id",
        w.org,
        video,
        parent,
        w.user,
        body,
    )
    return cid


async def test_comment_threads(owner_db: Database, w: World) -> None:
    root = await comment(owner_db, w, w.va)
    await refused(
        owner_db,
        w,
        "comments_parent_fk",
        "INSERT INTO comments (organization_id, video_id, parent_id, body) VALUES (%s, %s, %s, 'x')",
        w.org,
        w.va2,
        root,
    )
    reply = await comment(owner_db, w, w.va, root)
    await refused(owner_db, w, "comments_immutable", "UPDATE comments SET parent_id = NULL WHERE id = %s", reply)
    await refused(owner_db, w, "comments_immutable", "UPDATE comments SET author_id = NULL WHERE id = %s", reply)
    await refused(owner_db, w, "comments_within_video", "UPDATE comments SET position_ms = 60001 WHERE id = %s", root)
    await refused(
        owner_db, w, "comments_position_nonnegative", "UPDATE comments SET position_ms = -1 WHERE id = %s", root
    )
    await refused(owner_db, w, "comments_body_unless_deleted", "UPDATE comments SET body = NULL WHERE id = %s", root)
    await refused(owner_db, w, "comments_body_length", "UPDATE comments SET body = '   ' WHERE id = %s", root)
    # editing stamps edited_at; deleting erases the words, keeps the row and its replies
    await run(owner_db, w, "UPDATE comments SET body = 'hello' WHERE id = %s", root)
    assert await one(owner_db, w, "SELECT edited_at IS NOT NULL FROM comments WHERE id = %s", root)
    await run(owner_db, w, "UPDATE comments SET deleted_at = now() WHERE id = %s", root)
    row = (await run(owner_db, w, "SELECT body, deleted_by FROM comments WHERE id = %s", root))[0]
    assert row == {"body": None, "deleted_by": w.user}
    assert await one(owner_db, w, "SELECT count(*) FROM comments WHERE parent_id = %s", root) == 1
    await refused(owner_db, w, "comments_deleted_final", "UPDATE comments SET deleted_at = NULL WHERE id = %s", root)
    await refused(owner_db, w, "comments_deleted_final", "UPDATE comments SET body = 'back' WHERE id = %s", root)
    await refused(
        owner_db,
        w,
        "comments_parent_live",
        "INSERT INTO comments (organization_id, video_id, parent_id, body) VALUES (%s, %s, %s, 'x')",
        w.org,
        w.va,
        root,
    )
    await refused(
        owner_db,
        w,
        "comments_deleted_final",
        "INSERT INTO comments (organization_id, video_id, body, deleted_at) VALUES (%s, %s, NULL, now())",
        w.org,
        w.va,
    )


async def test_reactions(owner_db: Database, w: World) -> None:
    cid = await comment(owner_db, w, w.va)
    add = "INSERT INTO comment_reactions (organization_id, comment_id, user_id, emoji) VALUES (%s, %s, %s, %s)"
    await run(owner_db, w, add, w.org, cid, w.user, "👍")
    await refused(owner_db, w, "comment_reactions_pkey", add, w.org, cid, w.user, "👍")
    await run(owner_db, w, add, w.org, cid, w.user, "🎉")  # another emoji is another reaction
    await refused(owner_db, w, "comment_reactions_emoji_format", add, w.org, cid, w.user, "two words")
    await refused(owner_db, w, "comment_reactions_member_fk", add, w.org, cid, w.b.owner.user_id, "👀")
    await run(owner_db, w, "UPDATE comments SET deleted_at = now() WHERE id = %s", cid)
    await refused(owner_db, w, "comment_reactions_comment_live", add, w.org, cid, w.user, "😢")


# -- moments, clips, reels, quote cards --------------------------------------------------------------


async def clip(db: Database, w: World, video: UUID, start: int = 0, end: int = 1000) -> UUID:
    cid: UUID = await one(
        db,
        w,
        "INSERT INTO video_clips (organization_id, video_id, title, start_ms, end_ms)"
        " VALUES (%s, %s, 'c', %s, %s) RETURNING id",
        w.org,
        video,
        start,
        end,
    )
    return cid


async def test_positions(owner_db: Database, w: World) -> None:
    m = "INSERT INTO video_moments (organization_id, video_id, title, start_ms, end_ms) VALUES (%s, %s, 'm', %s, %s)"
    await refused(owner_db, w, "video_moments_times_valid", m, w.org, w.va, 500, 400)
    await refused(owner_db, w, "video_moments_times_valid", m, w.org, w.va, -1, 400)
    await refused(owner_db, w, "video_moments_within_video", m, w.org, w.va, 500, 60_001)
    await refused(
        owner_db,
        w,
        "video_clips_times_valid",
        "INSERT INTO video_clips (organization_id, video_id, title, start_ms, end_ms) VALUES (%s, %s, 'c', 9, 8)",
        w.org,
        w.va,
    )
    await refused(
        owner_db,
        w,
        "quote_cards_times_valid",
        "INSERT INTO quote_cards (organization_id, video_id, quote_text, start_ms, end_ms) VALUES (%s, %s, 'q', 9, 8)",
        w.org,
        w.va,
    )
    await refused(
        owner_db,
        w,
        "ai_action_items_within_video",
        "INSERT INTO ai_action_items (organization_id, video_id, title, start_ms, end_ms)"
        " VALUES (%s, %s, 't', 1, 70000)",
        w.org,
        w.va,
    )
    await refused(
        owner_db,
        w,
        "ai_action_items_end_needs_start",
        "INSERT INTO ai_action_items (organization_id, video_id, title, end_ms) VALUES (%s, %s, 't', 7)",
        w.org,
        w.va,
    )
    await refused(
        owner_db,
        w,
        "decisions_within_video",
        "INSERT INTO decisions (organization_id, summary, video_id, position_ms) VALUES (%s, 'd', %s, 61000)",
        w.org,
        w.va,
    )
    await refused(
        owner_db,
        w,
        "decisions_position_needs_video",
        "INSERT INTO decisions (organization_id, summary, position_ms, state) VALUES (%s, 'd', 5, 'proposed')",
        w.org,
    )
    # nor may the video shrink below what points into it
    await run(owner_db, w, m, w.org, w.va, 100, 50_000)
    await refused(
        owner_db, w, "videos_duration_covers_positions", "UPDATE videos SET duration_ms = 40000 WHERE id = %s", w.va
    )


async def test_clip_moment_and_status_workflow(owner_db: Database, w: World) -> None:
    moment = await one(
        owner_db,
        w,
        "INSERT INTO video_moments (organization_id, video_id, title, start_ms, end_ms)"
        " VALUES (%s, %s, 'm', 0, 10) RETURNING id",
        w.org,
        w.va2,
    )
    await refused(
        owner_db,
        w,
        "video_clips_moment_fk",
        "INSERT INTO video_clips (organization_id, video_id, moment_id, title, start_ms, end_ms)"
        " VALUES (%s, %s, %s, 'c', 0, 10)",
        w.org,
        w.va,
        moment,
    )
    cid = await clip(owner_db, w, w.va)
    await refused(
        owner_db, w, "video_clips_status_transition", "UPDATE video_clips SET status = 'ready' WHERE id = %s", cid
    )
    await run(owner_db, w, "UPDATE video_clips SET status = 'processing' WHERE id = %s", cid)
    await refused(
        owner_db, w, "video_clips_ready_has_file", "UPDATE video_clips SET status = 'ready' WHERE id = %s", cid
    )
    await refused(
        owner_db, w, "video_clips_error_only_when_failed", "UPDATE video_clips SET error = 'e' WHERE id = %s", cid
    )
    await run(owner_db, w, "UPDATE video_clips SET status = 'ready', storage_key = 'clips/1.mp4' WHERE id = %s", cid)
    await refused(
        owner_db,
        w,
        "video_clips_status_transition",
        "UPDATE video_clips SET status = 'failed', error = 'x' WHERE id = %s",
        cid,
    )
    await refused(
        owner_db, w, "video_clips_immutable", "UPDATE video_clips SET video_id = %s WHERE id = %s", w.va2, cid
    )


async def test_reels(owner_db: Database, w: World) -> None:
    reel = await one(
        owner_db, w, "INSERT INTO highlight_reels (organization_id, title) VALUES (%s, 'r') RETURNING id", w.org
    )
    add = "INSERT INTO highlight_reel_clips (organization_id, reel_id, position, clip_id) VALUES (%s, %s, %s, %s)"
    c1, c2 = await clip(owner_db, w, w.va), await clip(owner_db, w, w.va2, 5, 2005)
    # a clip of another organization cannot be part of the reel, even by the owner role
    async with owner_db.transaction(w.b.owner.organization_id) as conn:
        foreign = (
            await (
                await conn.execute(
                    "INSERT INTO video_clips (organization_id, video_id, title, start_ms, end_ms)"
                    " VALUES (%s, %s, 'x', 0, 1)"
                    " RETURNING id",
                    (w.b.owner.organization_id, w.vb),
                )
            ).fetchone()
            or {}
        )["id"]
    await refused(owner_db, w, "highlight_reel_clips_clip_fk", add, w.org, reel, 1, foreign)
    await refused(
        owner_db, w, "highlight_reels_has_clips", "UPDATE highlight_reels SET status = 'rendering' WHERE id = %s", reel
    )
    await run(owner_db, w, add, w.org, reel, 1, c1)
    await refused(owner_db, w, "highlight_reel_clips_pkey", add, w.org, reel, 1, c2)
    await refused(owner_db, w, "highlight_reel_clips_clip_once", add, w.org, reel, 2, c1)
    await run(owner_db, w, add, w.org, reel, 2, c2)
    await refused(
        owner_db,
        w,
        "highlight_reels_status_transition",
        "UPDATE highlight_reels SET status = 'ready', storage_key = 'k' WHERE id = %s",
        reel,
    )
    await run(owner_db, w, "UPDATE highlight_reels SET status = 'rendering' WHERE id = %s", reel)
    await refused(
        owner_db,
        w,
        "highlight_reel_clips_reel_editable",
        "DELETE FROM highlight_reel_clips WHERE reel_id = %s AND position = 2",
        reel,
    )
    await refused(
        owner_db, w, "highlight_reels_ready_has_file", "UPDATE highlight_reels SET status = 'ready' WHERE id = %s", reel
    )
    await run(
        owner_db, w, "UPDATE highlight_reels SET status = 'ready', storage_key = 'reels/1.mp4' WHERE id = %s", reel
    )
    # the reel's duration is derived from its clips, in order
    rows = await run(owner_db, w, "SELECT clip_id FROM highlight_reel_clips WHERE reel_id = %s ORDER BY position", reel)
    assert [r["clip_id"] for r in rows] == [c1, c2]
    # a clip deleted from under a rendered reel sends it back to draft
    await run(owner_db, w, "DELETE FROM video_clips WHERE id = %s", c2)
    assert await one(owner_db, w, "SELECT status FROM highlight_reels WHERE id = %s", reel) == "draft"


async def test_quote_card_speaker_belongs_to_its_video(owner_db: Database, w: World) -> None:
    speaker = await one(owner_db, w, "SELECT id FROM speakers WHERE video_id = %s LIMIT 1", w.va2)
    await refused(
        owner_db,
        w,
        "quote_cards_speaker_fk",
        "INSERT INTO quote_cards (organization_id, video_id, quote_text, start_ms, speaker_id)"
        " VALUES (%s, %s, 'q', 0, %s)",
        w.org,
        w.va,
        speaker,
    )
    await refused(
        owner_db,
        w,
        "quote_cards_template_object",
        "INSERT INTO quote_cards (organization_id, video_id, quote_text, start_ms, template)"
        " VALUES (%s, %s, 'q', 0, '[]')",
        w.org,
        w.va,
    )


# -- share links ------------------------------------------------------------------------------------


async def test_share_links(owner_db: Database, w: World, migrated_url: str) -> None:
    add = (
        "INSERT INTO share_links (organization_id, video_id, token_sha256, expires_at) VALUES (%s, %s, %s, %s)"
        " RETURNING id"
    )
    await refused(owner_db, w, "share_links_token_length", add, w.org, w.va, b"short", None)
    await refused(owner_db, w, "share_links_expires_after_created", add, w.org, w.va, bytes(32), "2000-01-01")
    sid = await one(owner_db, w, add, w.org, w.va, bytes(32), None)
    await refused(
        owner_db, w, "share_links_immutable", "UPDATE share_links SET video_id = %s WHERE id = %s", w.va2, sid
    )
    await refused(
        owner_db,
        w,
        "share_links_immutable",
        "UPDATE share_links SET token_sha256 = %s WHERE id = %s",
        bytes([1] * 32),
        sid,
    )
    await refused(
        owner_db,
        w,
        "share_links_password_hash_format",
        "UPDATE share_links SET password_hash = 'plain' WHERE id = %s",
        sid,
    )
    await refused(
        owner_db, w, "share_links_view_count_nonnegative", "UPDATE share_links SET view_count = -1 WHERE id = %s", sid
    )
    await run(owner_db, w, "UPDATE share_links SET revoked_at = now() WHERE id = %s", sid)
    assert await one(owner_db, w, "SELECT revoked_by FROM share_links WHERE id = %s", sid) == w.user
    await refused(
        owner_db, w, "share_links_revocation_final", "UPDATE share_links SET revoked_at = NULL WHERE id = %s", sid
    )
    with psycopg.connect(migrated_url) as conn:  # the app role never reads digests or password hashes
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(w.org),))
        assert conn.execute("SELECT count(*) FROM mediabase.share_links").fetchone() == (1,)
        for column in ("token_sha256", "password_hash"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT {column} FROM mediabase.share_links")
            conn.rollback()
            conn.execute("SET ROLE mediabase_app")


# -- decisions ----------------------------------------------------------------------------------------


async def decision(db: Database, w: World, summary: str = "d", **cols: Any) -> UUID:
    names = ", ".join(["organization_id", "summary", *cols])
    marks = ", ".join(["%s"] * (2 + len(cols)))
    did: UUID = await one(
        db,
        w,
        f"INSERT INTO decisions ({names}) VALUES ({marks}) RETURNING id",
        w.org,
        summary,
        *cols.values(),
    )
    return did


async def test_decision_status_and_supersession(owner_db: Database, w: World) -> None:
    a, b, c = [await decision(owner_db, w, s) for s in "abc"]
    assert await one(owner_db, w, "SELECT decided_at IS NOT NULL FROM decisions WHERE id = %s", a)
    await refused(
        owner_db, w, "decisions_not_superseded_by_self", "UPDATE decisions SET superseded_by = id WHERE id = %s", a
    )
    with pytest.raises(MediabaseError):  # status is derived, never written
        await run(owner_db, w, "UPDATE decisions SET status = 'superseded' WHERE id = %s", a)
    await refused(owner_db, w, "decisions_state_valid", "UPDATE decisions SET state = 'superseded' WHERE id = %s", a)
    await refused(
        owner_db, w, "decisions_decided_at_when_decided", "UPDATE decisions SET decided_at = NULL WHERE id = %s", a
    )
    # b supersedes a (a link); the superseded side follows, and the link exists
    await run(
        owner_db,
        w,
        "INSERT INTO decision_links (organization_id, decision_id, target_decision_id, link_type)"
        " VALUES (%s, %s, %s, 'supersedes')",
        w.org,
        b,
        a,
    )
    assert (await run(owner_db, w, "SELECT status, superseded_by FROM decisions WHERE id = %s", a))[0] == {
        "status": "superseded",
        "superseded_by": b,
    }
    await refused(
        owner_db, w, "decisions_state_while_superseded", "UPDATE decisions SET state = 'proposed' WHERE id = %s", a
    )
    # a decision has one superseder
    await refused(
        owner_db,
        w,
        "decision_links_one_superseder",
        "INSERT INTO decision_links (organization_id, decision_id, target_decision_id, link_type)"
        " VALUES (%s, %s, %s, 'supersedes')",
        w.org,
        c,
        a,
    )
    # no cycles: c supersedes b, then a cannot supersede c
    await run(owner_db, w, "UPDATE decisions SET superseded_by = %s WHERE id = %s", c, b)
    assert (
        await one(
            owner_db, w, "SELECT link_type FROM decision_links WHERE decision_id = %s AND target_decision_id = %s", c, b
        )
        == "supersedes"
    )
    await refused(
        owner_db, w, "decisions_supersede_cycle", "UPDATE decisions SET superseded_by = %s WHERE id = %s", a, c
    )
    await refused(
        owner_db,
        w,
        "decision_links_not_self",
        "INSERT INTO decision_links (organization_id, decision_id, target_decision_id) VALUES (%s, %s, %s)",
        w.org,
        a,
        a,
    )
    await refused(
        owner_db,
        w,
        "decision_links_immutable",
        "UPDATE decision_links SET link_type = 'related' WHERE target_decision_id = %s",
        a,
    )
    # removing the link un-supersedes; deleting the superseder does too
    await run(owner_db, w, "DELETE FROM decision_links WHERE decision_id = %s AND target_decision_id = %s", b, a)
    assert await one(owner_db, w, "SELECT status FROM decisions WHERE id = %s", a) == "decided"
    await run(owner_db, w, "DELETE FROM decisions WHERE id = %s", c)
    assert (await run(owner_db, w, "SELECT status, superseded_by FROM decisions WHERE id = %s", b))[0] == {
        "status": "decided",
        "superseded_by": None,
    }


async def test_decision_video_cleared_takes_position_along(owner_db: Database, w: World) -> None:
    did = await decision(owner_db, w, video_id=w.va, position_ms=1000)
    await run(owner_db, w, "DELETE FROM videos WHERE id = %s", w.va)
    assert (await run(owner_db, w, "SELECT video_id, position_ms FROM decisions WHERE id = %s", did))[0] == {
        "video_id": None,
        "position_ms": None,
    }


async def test_decision_tags_participants_subscriptions(owner_db: Database, w: World) -> None:
    tag = "INSERT INTO decision_tags (organization_id, name, color) VALUES (%s, %s, %s) RETURNING id"
    t = await one(owner_db, w, tag, w.org, "Pricing", "#ff0000")
    await refused(owner_db, w, "decision_tags_name_key", tag, w.org, "pricing", None)
    await refused(owner_db, w, "decision_tags_color_format", tag, w.org, "x", "red")
    await refused(owner_db, w, "decision_tags_name_format", tag, w.org, " padded ", None)
    did = await decision(owner_db, w)
    assign = "INSERT INTO decision_tag_assignments (organization_id, decision_id, tag_id) VALUES (%s, %s, %s)"
    await run(owner_db, w, assign, w.org, did, t)
    await refused(owner_db, w, "decision_tag_assignments_pkey", assign, w.org, did, t)
    part = (
        "INSERT INTO decision_participants (organization_id, decision_id, user_id, person_id) VALUES (%s, %s, %s, %s)"
    )
    await refused(owner_db, w, "decision_participants_one_identity", part, w.org, did, None, None)
    await refused(owner_db, w, "decision_participants_member_fk", part, w.org, did, w.b.owner.user_id, None)
    await run(owner_db, w, part, w.org, did, w.user, None)
    await refused(owner_db, w, "decision_participants_user_key", part, w.org, did, w.user, None)
    sub = "INSERT INTO decision_subscriptions (organization_id, user_id, tag_id, frequency) VALUES (%s, %s, %s, %s)"
    await refused(owner_db, w, "decision_subscriptions_frequency_valid", sub, w.org, w.user, t, "hourly")
    await refused(owner_db, w, "decision_subscriptions_member_fk", sub, w.org, w.b.owner.user_id, t, "daily")


async def test_app_role_reads_but_never_writes_the_edit_trail(
    db: Database, owner_db: Database, w: World, migrated_url: str
) -> None:
    did = await decision(owner_db, w)
    await run(owner_db, w, "UPDATE decisions SET summary = 'changed' WHERE id = %s", did)
    with psycopg.connect(migrated_url) as conn:
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(w.org),))
        assert conn.execute("SELECT field, old_value, new_value FROM mediabase.decision_edits").fetchall() == [
            ("summary", "d", "changed")
        ]
        for stmt in (
            "UPDATE mediabase.decision_edits SET new_value = 'forged'",
            "DELETE FROM mediabase.decision_edits",
            f"INSERT INTO mediabase.decision_edits (organization_id, decision_id, field, new_value)"
            f" VALUES ('{w.org}', '{did}', 'summary', 'x')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)
            conn.rollback()
            conn.execute("SET ROLE mediabase_app")
            conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(w.org),))


# -- topics and action items ------------------------------------------------------------------------


async def test_topics_unique_by_normalized_name_and_counters_are_derived(
    owner_db: Database, w: World, migrated_url: str
) -> None:
    add = "INSERT INTO ai_topics (organization_id, name) VALUES (%s, %s) RETURNING id"
    tid = await one(owner_db, w, add, w.org, "Remote  Control")
    await refused(owner_db, w, "ai_topics_normalized_name_key", add, w.org, " remote control ")
    await refused(
        owner_db, w, "ai_topics_trend_score_range", "UPDATE ai_topics SET trend_score = 101 WHERE id = %s", tid
    )
    await refused(
        owner_db,
        w,
        "ai_topics_mentioned_when_counted",
        "UPDATE ai_topics SET mention_count = 1, video_count = 1 WHERE id = %s",
        tid,
    )
    lid = await layer(owner_db, w, w.va, "topics")
    mention = (
        "INSERT INTO ai_topic_mentions (organization_id, topic_id, video_id, layer_id, start_ms, end_ms)"
        " VALUES (%s, %s, %s, %s, %s, %s)"
    )
    await run(owner_db, w, mention, w.org, tid, w.va, lid, 0, 1000)
    await run(owner_db, w, mention, w.org, tid, w.va, lid, 5000, 6000)
    other = await layer(owner_db, w, w.va2, "topics", status="pending")
    await run(owner_db, w, mention, w.org, tid, w.va2, other, 0, 10)
    row = (await run(owner_db, w, "SELECT mention_count, video_count, trend FROM ai_topics WHERE id = %s", tid))[0]
    assert row == {"mention_count": 2, "video_count": 1, "trend": "rising"}  # the pending layer does not count
    await run(owner_db, w, "UPDATE ai_layers SET status = 'ready' WHERE id = %s", other)
    assert await one(owner_db, w, "SELECT video_count FROM ai_topics WHERE id = %s", tid) == 2
    await refused(owner_db, w, "ai_topic_mentions_layer_fk", mention, w.org, tid, w.va2, lid, 0, 10)
    await run(owner_db, w, "DELETE FROM ai_layers WHERE id = %s", lid)
    assert await one(owner_db, w, "SELECT mention_count FROM ai_topics WHERE id = %s", tid) == 1
    with psycopg.connect(migrated_url) as conn:  # the app role cannot forge counters
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(w.org),))
        conn.execute("UPDATE mediabase.ai_topics SET description = 'ok'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE mediabase.ai_topics SET mention_count = 99")


@pytest.mark.parametrize(
    ("recent", "previous", "score", "trend"),
    [
        (5, 0, 100, "rising"),
        (0, 5, -100, "declining"),
        (3, 3, 0, "stable"),
        (5, 3, 25, "rising"),
        (4, 3, 14, "stable"),
        (3, 5, -25, "declining"),
        (0, 0, -100, "declining"),
    ],
)
async def test_trend_rule(owner_db: Database, w: World, recent: int, previous: int, score: int, trend: str) -> None:
    """Mentions in the last 28 days against the 28 days before; older ones do not count."""
    tid = await one(owner_db, w, "INSERT INTO ai_topics (organization_id, name) VALUES (%s, 't') RETURNING id", w.org)
    lid = await layer(owner_db, w, w.va, "topics")
    ages = [1] * recent + [30] * previous + [200]  # days ago; one very old mention
    await run(
        owner_db,
        w,
        "INSERT INTO ai_topic_mentions (organization_id, topic_id, video_id, layer_id, mentioned_at)"
        " SELECT %s, %s, %s, %s, now() - make_interval(days => d) FROM unnest(%s::int[]) AS d",
        w.org,
        tid,
        w.va,
        lid,
        ages,
    )
    row = (await run(owner_db, w, "SELECT trend_score, trend, mention_count FROM ai_topics WHERE id = %s", tid))[0]
    assert row == {"trend_score": score, "trend": trend, "mention_count": len(ages)}


async def test_action_item_completion_is_kept_consistent(owner_db: Database, w: World) -> None:
    iid = await one(
        owner_db,
        w,
        "INSERT INTO ai_action_items (organization_id, video_id, title, completed_at, completed_by)"
        " VALUES (%s, %s, 't', now(), %s) RETURNING id",
        w.org,
        w.va,
        w.user,
    )
    row = (await run(owner_db, w, "SELECT completed_at, completed_by FROM ai_action_items WHERE id = %s", iid))[0]
    assert row == {"completed_at": None, "completed_by": None}  # not completed: nothing stamped
    await run(owner_db, w, "UPDATE ai_action_items SET status = 'completed' WHERE id = %s", iid)
    row = (
        await run(
            owner_db, w, "SELECT completed_at IS NOT NULL AS done, completed_by FROM ai_action_items WHERE id = %s", iid
        )
    )[0]
    assert row == {"done": True, "completed_by": w.user}
    await run(owner_db, w, "UPDATE ai_action_items SET status = 'in_progress' WHERE id = %s", iid)
    row = (await run(owner_db, w, "SELECT completed_at, completed_by FROM ai_action_items WHERE id = %s", iid))[0]
    assert row == {"completed_at": None, "completed_by": None}
    # behind the trigger, the checks themselves
    await refused(
        owner_db,
        w,
        "ai_action_items_completed_consistent",
        "UPDATE ai_action_items SET status = 'completed' WHERE id = %s",
        iid,
        setup="ALTER TABLE ai_action_items DISABLE TRIGGER ai_action_items_completion",
    )
    await refused(
        owner_db,
        w,
        "ai_action_items_confidence_range",
        "UPDATE ai_action_items SET confidence = 101 WHERE id = %s",
        iid,
    )
    await refused(
        owner_db, w, "ai_action_items_status_valid", "UPDATE ai_action_items SET status = 'done' WHERE id = %s", iid
    )
    await refused(
        owner_db,
        w,
        "ai_action_items_priority_valid",
        "UPDATE ai_action_items SET priority = 'urgent' WHERE id = %s",
        iid,
    )
    await refused(
        owner_db,
        w,
        "ai_action_items_assignee_fk",
        "UPDATE ai_action_items SET assignee_user_id = %s WHERE id = %s",
        w.b.owner.user_id,
        iid,
    )


# -- notifications ------------------------------------------------------------------------------------


async def test_notifications_are_written_by_the_database_and_private(
    owner_db: Database, db: Database, w: World, migrated_url: str
) -> None:
    member = w.a.member
    async with owner_db.transaction(w.org, member.user_id) as conn:
        root = (
            await (
                await conn.execute(
                    "INSERT INTO comments (organization_id, video_id, author_id, body) VALUES (%s, %s, %s, 'first')"
                    " RETURNING id",
                    (w.org, w.va, member.user_id),
                )
            ).fetchone()
            or {}
        )["id"]
    reply = await comment(owner_db, w, w.va, root, "thanks @mem-alpha and @own-alpha and @nobody")
    rows = await run(owner_db, w, "SELECT user_id, kind, comment_id FROM notifications ORDER BY created_at, kind")
    # the video's author (owner) hears of the thread; the member hears of the reply, once
    assert [(r["user_id"], r["kind"], r["comment_id"]) for r in rows] == [
        (w.user, "comment", root),
        (member.user_id, "reply", reply),
    ]
    iid = await one(
        owner_db,
        w,
        "INSERT INTO ai_action_items (organization_id, video_id, title, assignee_user_id)"
        " VALUES (%s, %s, 't', %s) RETURNING id",
        w.org,
        w.va,
        member.user_id,
    )
    assert await one(owner_db, w, "SELECT count(*) FROM notifications WHERE action_item_id = %s", iid) == 1
    await refused(
        owner_db,
        w,
        "notifications_subject",
        "INSERT INTO notifications (organization_id, user_id, kind, title) VALUES (%s, %s, 'decision', 'x')",
        w.org,
        w.user,
    )
    with psycopg.connect(migrated_url) as conn:  # a member reads only their own
        conn.execute("SET ROLE mediabase_app")
        conn.execute(
            "SELECT set_config('mediabase.organization_id', %s, false), set_config('mediabase.user_id', %s, false)",
            (str(w.org), str(member.user_id)),
        )
        assert {r[0] for r in conn.execute("SELECT user_id FROM mediabase.notifications")} == {member.user_id}
        assert (
            conn.execute("UPDATE mediabase.notifications SET read_at = now() WHERE user_id = %s", (w.user,)).rowcount
            == 0
        )


async def test_views_apply_the_callers_row_level_security(
    db: Database, owner_db: Database, w: World, migrated_url: str
) -> None:
    await decision(owner_db, w, "alpha decision")
    async with owner_db.transaction(w.b.owner.organization_id, w.b.owner.user_id) as conn:
        await conn.execute(
            "INSERT INTO decisions (organization_id, summary) VALUES (%s, 'bravo decision')",
            (w.b.owner.organization_id,),
        )
    with psycopg.connect(migrated_url) as conn:
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(w.org),))
        assert [r[0] for r in conn.execute("SELECT summary FROM mediabase.decision_log")] == ["alpha decision"]
        assert {r[0] for r in conn.execute("SELECT organization_id FROM mediabase.organization_activity")} == {w.org}
        assert {r[0] for r in conn.execute("SELECT organization_id FROM mediabase.video_overview")} == {w.org}
        with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectNotInPrerequisiteState)):
            conn.execute("DELETE FROM mediabase.decision_log")


async def test_unknown_ids_are_not_found(owner_db: Database, w: World) -> None:
    await refused(
        owner_db,
        w,
        "comments_video_fk",
        "INSERT INTO comments (organization_id, video_id, body) VALUES (%s, %s, 'x')",
        w.org,
        uuid4(),
    )
    await refused(
        owner_db,
        w,
        "comments_video_fk",  # another tenant's video, even as the owner role
        "INSERT INTO comments (organization_id, video_id, body) VALUES (%s, %s, 'x')",
        w.org,
        w.vb,
    )
