"""The music catalog's invariants (0029_music_catalog.sql), tried and broken: roles per
membership, credits, versioned contracts whose splits sum to exactly 10,000 basis points (a
deferred constraint trigger), signed versions immutable, one signed version per master; who may
do what; a master's audio found by search; nothing crosses organizations."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediabase.common.errors import Conflict, Forbidden, Invalid, MediabaseError, NotFound
from mediabase.db.connection import Database
from mediabase.media.models import VideoCreate
from mediabase.music.catalog import contracts
from mediabase.music.catalog import service as catalog
from mediabase.music.catalog.models import (
    ContractCreate,
    ContractUpdate,
    CreditCreate,
    MasterCreate,
    MasterStatus,
    MasterUpdate,
    MusicRole,
    Party,
    ProfileCreate,
    RoleGrant,
    SplitLine,
)
from mediabase.search.models import SearchMode, SearchRequest
from mediabase.search.service import search
from mediabase.transcripts.service import ingest_new_video
from tests.conftest import make_settings
from tests.factories import Tenant, make_tenant, transcript
from tests.integration.music_world_catalog import Catalog, make_catalog


@pytest.fixture
async def two(db: Database, tenants: tuple[Tenant, Tenant]) -> tuple[Catalog, Catalog]:
    return await make_catalog(db, tenants[0]), await make_catalog(db, tenants[1], "Vega")


def halves(c: Catalog) -> list[SplitLine]:
    return [
        SplitLine(party=Party.artist, artist_id=c.artist, bps=6000),
        SplitLine(party=Party.producer, producer_id=c.producer, bps=1500),
        SplitLine(party=Party.investors, bps=2500),
    ]


async def run(database: Database, c: Catalog, stmt: str, *params: Any) -> list[dict[str, Any]]:
    async with database.transaction(c.org, c.owner.user_id) as conn:
        cur = await conn.execute(stmt, params)
        return await cur.fetchall() if cur.description else []


async def refused(database: Database, c: Catalog, constraint: str, stmt: str, *params: Any) -> MediabaseError:
    with pytest.raises(MediabaseError) as info:
        await run(database, c, stmt, *params)
    assert info.value.extra.get("constraint") == constraint, (info.value, info.value.extra)
    return info.value


# -- roles ----------------------------------------------------------------------------------------


async def test_roles_are_per_membership(db: Database, owner_db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, b = two
    # b's member joins a as a plain member: artist in b (make_catalog), fan in a
    b_user = b.member.user_id
    await run(owner_db, a, "INSERT INTO memberships (organization_id, user_id) VALUES (%s, %s)", a.org, b_user)
    roles = await catalog.grant_role(db, a.owner, RoleGrant(user_id=b_user, role=MusicRole.fan))
    assert [r.role for r in roles] == [MusicRole.fan]
    assert [r.role for r in await catalog.list_roles(db, b.owner, user_id=b_user)] == [MusicRole.artist]
    # several roles at once; granting twice changes nothing; revoking one not held is a 404
    await catalog.grant_role(db, a.owner, RoleGrant(user_id=b_user, role=MusicRole.producer))
    roles = await catalog.grant_role(db, a.owner, RoleGrant(user_id=b_user, role=MusicRole.fan))
    assert sorted(r.role for r in roles) == [MusicRole.fan, MusicRole.producer]
    await catalog.revoke_role(db, a.owner, RoleGrant(user_id=b_user, role=MusicRole.fan))
    with pytest.raises(NotFound):
        await catalog.revoke_role(db, a.owner, RoleGrant(user_id=b_user, role=MusicRole.fan))


async def test_a_role_needs_a_membership_and_an_admin(
    db: Database, owner_db: Database, two: tuple[Catalog, Catalog]
) -> None:
    a, b = two
    with pytest.raises(NotFound) as info:  # b's owner is no member of a
        await catalog.grant_role(db, a.owner, RoleGrant(user_id=b.owner.user_id, role=MusicRole.fan))
    assert info.value.field == "user_id"
    with pytest.raises(Forbidden):
        await catalog.grant_role(db, a.member, RoleGrant(user_id=a.member.user_id, role=MusicRole.producer))
    await refused(
        owner_db,
        a,
        "music_roles_role_valid",
        "INSERT INTO music_roles (organization_id, user_id, role) VALUES (%s, %s, 'admin')",
        a.org,
        a.member.user_id,
    )


async def test_a_role_goes_with_its_membership(db: Database, owner_db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, _ = two
    await run(
        owner_db, a, "DELETE FROM memberships WHERE organization_id = %s AND user_id = %s", a.org, a.member.user_id
    )
    assert await catalog.list_roles(db, a.owner) == []


# -- artists, masters, credits ----------------------------------------------------------------------


async def test_who_may_edit_a_master(db: Database, owner_db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, _ = two
    # the artist (role + linked profile) edits and creates their own masters
    m = await catalog.update_master(db, a.member, a.master, MasterUpdate(title="Renamed", isrc="usabc2600001"))
    assert (m.title, m.isrc) == ("Renamed", "USABC2600001")
    own = await catalog.create_master(db, a.member, MasterCreate(artist_id=a.artist, title="B-side"))
    assert own.status is MasterStatus.draft and own.created_by == a.member.user_id
    # another artist's master: 403; without the artist role: 403
    other = await catalog.create_profile(db, a.owner, "artist", ProfileCreate(name="Someone Else"))
    theirs = await catalog.create_master(db, a.owner, MasterCreate(artist_id=other.id, title="Theirs"))
    with pytest.raises(Forbidden):
        await catalog.update_master(db, a.member, theirs.id, MasterUpdate(title="Mine now"))
    await catalog.revoke_role(db, a.owner, RoleGrant(user_id=a.member.user_id, role=MusicRole.artist))
    with pytest.raises(Forbidden):
        await catalog.update_master(db, a.member, a.master, MasterUpdate(title="Again"))
    with pytest.raises(Forbidden):
        await catalog.create_profile(db, a.member, "producer", ProfileCreate(name="P"))


async def test_master_status_lifecycle(db: Database, owner_db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, _ = two
    with pytest.raises(Conflict) as info:
        await catalog.update_master(db, a.owner, a.master, MasterUpdate(status=MasterStatus.published))
    assert info.value.field == "status"
    for step in (MasterStatus.review, MasterStatus.published, MasterStatus.archived):
        assert (await catalog.update_master(db, a.owner, a.master, MasterUpdate(status=step))).status is step
    with pytest.raises(Conflict):
        await catalog.update_master(db, a.owner, a.master, MasterUpdate(status=MasterStatus.draft))


async def test_profiles_and_credits(db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, b = two
    with pytest.raises(Conflict) as info:
        await catalog.create_profile(db, a.owner, "artist", ProfileCreate(name="Nova"))
    assert info.value.field == "slug"
    credits = await catalog.add_credit(db, a.member, a.master, CreditCreate(producer_id=a.producer, role="Mixing"))
    await catalog.add_credit(db, a.owner, a.master, CreditCreate(producer_id=a.producer))
    credits = await catalog.add_credit(db, a.owner, a.master, CreditCreate(producer_id=a.producer))  # again: no-op
    assert sorted(c.role for c in credits) == ["mixing", "producer"]
    with pytest.raises(NotFound) as info:  # b's producer is nothing in a
        await catalog.add_credit(db, a.owner, a.master, CreditCreate(producer_id=b.producer))
    assert info.value.field == "producer_id"
    with pytest.raises(NotFound):  # b's master is nothing in a
        await catalog.add_credit(db, a.owner, b.master, CreditCreate(producer_id=a.producer))
    await catalog.remove_credit(db, a.owner, a.master, CreditCreate(producer_id=a.producer, role="mixing"))
    assert [c.role for c in await catalog.list_credits(db, a.member, a.master)] == ["producer"]


async def test_nothing_points_into_another_organization(
    db: Database, owner_db: Database, two: tuple[Catalog, Catalog]
) -> None:
    a, b = two
    await refused(
        owner_db,
        b,
        "music_master_credits_master_fk",
        "INSERT INTO music_master_credits (organization_id, master_id, producer_id, role)"
        " VALUES (%s, %s, %s, 'producer')",
        b.org,
        a.master,
        b.producer,
    )
    await refused(
        owner_db,
        b,
        "music_contracts_master_fk",
        "INSERT INTO music_contracts (organization_id, master_id) VALUES (%s, %s)",
        b.org,
        a.master,
    )
    c = await contracts.create_contract(db, b.owner, b.master, ContractCreate(splits=halves(b)))
    await refused(
        owner_db,
        b,
        "music_contract_splits_artist_fk",
        "UPDATE music_contract_splits SET artist_id = %s WHERE organization_id = %s AND contract_id = %s"
        " AND party = 'artist'",
        a.artist,
        b.org,
        c.id,
    )
    with pytest.raises(NotFound):
        await contracts.get_contract(db, a.owner, c.id)
    with pytest.raises(NotFound):
        await catalog.get_master(db, a.owner, b.master)


async def test_a_masters_audio_is_found_by_search(db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, b = two
    video = (
        await ingest_new_video(db, a.owner, VideoCreate(title="Nova One (audio)"), transcript(word="starlight"))
    ).video_id
    m = await catalog.update_master(db, a.member, a.master, MasterUpdate(video_id=video))
    assert m.video_id == video
    hits = (await search(db, a.owner, SearchRequest(q="starlight", mode=SearchMode.keyword))).hits
    assert hits and {h.video_id for h in hits} == {video}
    assert (await search(db, b.owner, SearchRequest(q="starlight", mode=SearchMode.keyword))).hits == []
    # one master per video; b cannot link a's video
    with pytest.raises(Conflict) as info:
        await catalog.create_master(db, a.owner, MasterCreate(artist_id=a.artist, title="Dup", video_id=video))
    assert info.value.field == "video_id"
    with pytest.raises(NotFound):
        await catalog.update_master(db, b.owner, b.master, MasterUpdate(video_id=video))


# -- contracts -------------------------------------------------------------------------------------


async def test_splits_must_sum_to_ten_thousand_at_commit(
    db: Database, owner_db: Database, two: tuple[Catalog, Catalog]
) -> None:
    a, _ = two
    for database in (db, owner_db):
        # no lines at all: refused at commit
        await refused(
            database,
            a,
            "music_contract_splits_sum",
            "INSERT INTO music_contracts (organization_id, master_id) VALUES (%s, %s)",
            a.org,
            a.master,
        )
        # 9,999: refused at commit; the lines may arrive in several statements before it
        with pytest.raises(MediabaseError) as info:  # noqa: PT012 (the refusal comes at commit)
            async with database.transaction(a.org, a.owner.user_id) as conn:
                row = await (
                    await conn.execute(
                        "INSERT INTO music_contracts (organization_id, master_id) VALUES (%s, %s) RETURNING id",
                        (a.org, a.master),
                    )
                ).fetchone()
                assert row is not None
                for n, bps in enumerate((5000, 4999), 1):
                    await conn.execute(
                        "INSERT INTO music_contract_splits (organization_id, contract_id, line_no,"
                        " party, label_name, bps) VALUES (%s, %s, %s, 'label', %s, %s)",
                        (a.org, row["id"], n, f"Label {n}", bps),
                    )
        assert info.value.extra.get("constraint") == "music_contract_splits_sum"
    with pytest.raises(Invalid) as inv:
        await contracts.create_contract(db, a.owner, a.master, ContractCreate(splits=halves(a)[:2]))
    assert inv.value.field == "splits"
    assert await contracts.list_contracts(db, a.owner, a.master) == []
    c = await contracts.create_contract(db, a.owner, a.master, ContractCreate(splits=halves(a), notes="v1"))
    assert (c.version, c.status, sum(s.bps for s in c.splits)) == (1, "draft", 10_000)


async def test_versions_signing_and_immutability(
    db: Database, owner_db: Database, two: tuple[Catalog, Catalog]
) -> None:
    a, _ = two
    v1 = await contracts.create_contract(db, a.owner, a.master, ContractCreate(splits=halves(a)))
    v2 = await contracts.create_contract(db, a.owner, a.master, ContractCreate(splits=halves(a), terms={"term": 5}))
    assert (v1.version, v2.version) == (1, 2)
    # a draft changes, splits replaced whole (the sum still holds)
    lines = [
        SplitLine(party=Party.artist, artist_id=a.artist, bps=7000),
        SplitLine(party=Party.label, label_name="Orbit Records", bps=3000),
    ]
    v2 = await contracts.update_contract(db, a.owner, v2.id, ContractUpdate(splits=lines, notes="label deal"))
    assert [s.bps for s in v2.splits] == [7000, 3000] and v2.notes == "label deal"
    with pytest.raises(Forbidden):
        await contracts.sign_contract(db, a.member, v1.id)
    v1 = await contracts.sign_contract(db, a.owner, v1.id)
    assert v1.status == "signed" and v1.signed_by == a.owner.user_id
    # the signed version and its lines never change, not even for the owner role
    with pytest.raises(Conflict):
        await contracts.update_contract(db, a.owner, v1.id, ContractUpdate(notes="sneaky"))
    for database in (db, owner_db):
        await refused(
            database,
            a,
            "music_contracts_signed_immutable",
            "UPDATE music_contracts SET notes = 'x' WHERE organization_id = %s AND id = %s",
            a.org,
            v1.id,
        )
        await refused(
            database,
            a,
            "music_contracts_signed_immutable",
            "UPDATE music_contract_splits SET bps = bps WHERE organization_id = %s AND contract_id = %s",
            a.org,
            v1.id,
        )
        await refused(
            database,
            a,
            "music_contracts_signed_immutable",
            "DELETE FROM music_contract_splits WHERE organization_id = %s AND contract_id = %s",
            a.org,
            v1.id,
        )
        await refused(
            database,
            a,
            "music_contracts_signed_immutable",
            "INSERT INTO music_contract_splits (organization_id, contract_id, line_no, party, bps)"
            " VALUES (%s, %s, 9, 'investors', 1)",
            a.org,
            v1.id,
        )
    await refused(
        owner_db,
        a,
        "music_contracts_append_only",
        "DELETE FROM music_contracts WHERE organization_id = %s AND id = %s",
        a.org,
        v2.id,
    )
    await refused(
        owner_db,
        a,
        "music_contracts_one_signed",
        "UPDATE music_contracts SET status = 'signed', signed_at = now() WHERE organization_id = %s AND id = %s",
        a.org,
        v2.id,
    )
    # signing v2 supersedes v1 in the same transaction; v1 cannot be signed again
    v2 = await contracts.sign_contract(db, a.owner, v2.id)
    v1 = await contracts.get_contract(db, a.owner, v1.id)
    assert (v1.status, v2.status) == ("superseded", "signed") and v1.superseded_at is not None
    assert (await contracts.contract_in_force(db, a.member, a.master)).id == v2.id
    with pytest.raises(Conflict):
        await contracts.sign_contract(db, a.owner, v1.id)
    # an older draft cannot be signed over a newer version in force
    v3 = await contracts.create_contract(db, a.owner, a.master, ContractCreate(splits=halves(a)))
    v4 = await contracts.create_contract(db, a.owner, a.master, ContractCreate(splits=halves(a)))
    await contracts.sign_contract(db, a.owner, v4.id)
    with pytest.raises(Conflict) as info:
        await contracts.sign_contract(db, a.owner, v3.id)
    assert info.value.extra.get("constraint") == "music_contracts_sign_order"
    versions = [(c.version, c.status) for c in await contracts.list_contracts(db, a.member, a.master)]
    assert versions == [(1, "superseded"), (2, "superseded"), (3, "draft"), (4, "signed")]
    # versions are gapless: a version given that is not the next one is refused
    await refused(
        owner_db,
        a,
        "music_contracts_version_gapless",
        "INSERT INTO music_contracts (organization_id, master_id, version) VALUES (%s, %s, 9)",
        a.org,
        a.master,
    )


async def test_concurrent_drafts_get_consecutive_versions(db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, _ = two
    made = await asyncio.gather(
        *(contracts.create_contract(db, a.owner, a.master, ContractCreate(splits=halves(a))) for _ in range(4))
    )
    assert sorted(c.version for c in made) == [1, 2, 3, 4]


async def test_split_lines_name_their_party(db: Database, owner_db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, _ = two
    with pytest.raises(ValueError, match="artist_id"):
        SplitLine(party=Party.artist, producer_id=a.producer, bps=10)
    with pytest.raises(ValueError, match="label_name"):
        SplitLine(party=Party.investors, label_name="x", bps=10)
    c = await contracts.create_contract(db, a.owner, a.master, ContractCreate(splits=halves(a)))
    await refused(
        owner_db,
        a,
        "music_contract_splits_party_target",
        "UPDATE music_contract_splits SET producer_id = %s WHERE organization_id = %s AND contract_id = %s"
        " AND party = 'investors'",
        a.producer,
        a.org,
        c.id,
    )
    with pytest.raises(Conflict):  # the same artist twice
        await contracts.create_contract(
            db,
            a.owner,
            a.master,
            ContractCreate(
                splits=[
                    SplitLine(party=Party.artist, artist_id=a.artist, bps=5000),
                    SplitLine(party=Party.artist, artist_id=a.artist, bps=5000),
                ]
            ),
        )


# -- the property: any list of splits, refused unless it sums to exactly 10,000 --------------------

Lines = list[tuple[str, int]]


async def splits_scenario(url: str, cases: list[Lines]) -> None:
    async with Database(url, make_settings(url)) as db, Database(url, make_settings(url), role="") as owner:
        t = await make_tenant(db, owner, f"s-{uuid.uuid4().hex[:10]}")
        c = await make_catalog(db, t)
        accepted = 0
        for lines in cases:
            total = sum(bps for _, bps in lines)
            try:
                async with db.transaction(c.org, c.owner.user_id) as conn:
                    row = await (
                        await conn.execute(
                            "INSERT INTO music_contracts (organization_id, master_id) VALUES (%s, %s) RETURNING id",
                            (c.org, c.master),
                        )
                    ).fetchone()
                    assert row is not None
                    await conn.execute(
                        "INSERT INTO music_contract_splits (organization_id, contract_id, line_no, party, artist_id,"
                        " producer_id, label_name, bps)"
                        " SELECT %s, %s, n, p, CASE WHEN p = 'artist' THEN %s::uuid END,"
                        " CASE WHEN p = 'producer' THEN %s::uuid END, CASE WHEN p = 'label' THEN 'L' || n END, b"
                        " FROM unnest(%s::text[], %s::int[]) WITH ORDINALITY AS s (p, b, n)",
                        (c.org, row["id"], c.artist, c.producer, [p for p, _ in lines], [b for _, b in lines]),
                    )
                refused_by = None
            except MediabaseError as e:
                refused_by = e.extra.get("constraint")
            if total == 10_000:
                assert refused_by is None, lines
                accepted += 1
            else:
                assert refused_by == "music_contract_splits_sum", (lines, refused_by)
        async with owner.transaction(c.org) as conn:
            rows = await (
                await conn.execute(
                    "SELECT c.version, sum(s.bps) AS total FROM music_contracts c JOIN music_contract_splits s"
                    " ON s.organization_id = c.organization_id AND s.contract_id = c.id WHERE c.organization_id = %s"
                    " GROUP BY c.version ORDER BY c.version",
                    (c.org,),
                )
            ).fetchall()
        assert [(r["version"], r["total"]) for r in rows] == [(v, 10_000) for v in range(1, accepted + 1)]


def _exact(parts: list[int]) -> Lines:
    """Lines that sum to exactly 10,000: cuts of [0, 10000] at the given points."""
    cuts = sorted({p for p in parts if 0 < p < 10_000})
    bounds = [0, *cuts, 10_000]
    kinds = ["artist", "producer", "investors"]
    lines = [(kinds[i] if i < 3 else "label", hi - lo) for i, (lo, hi) in enumerate(itertools.pairwise(bounds))]
    return lines


_line = st.tuples(st.sampled_from(["label"]), st.integers(1, 10_000))
_case = st.one_of(
    st.lists(st.integers(1, 9_999), max_size=6).map(_exact),
    st.lists(_line, min_size=1, max_size=6),
    st.lists(st.integers(1, 9_999), min_size=1, max_size=5)
    .map(_exact)
    .map(lambda ls: [*ls[:-1], (ls[-1][0], ls[-1][1] + 1)]),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.lists(_case, min_size=1, max_size=6))
def test_random_splits_are_accepted_only_at_exactly_ten_thousand(migrated_url: str, cases: list[Lines]) -> None:
    asyncio.run(splits_scenario(migrated_url, cases))
