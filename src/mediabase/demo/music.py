"""The demo artist organization ``demo-artist`` (seed 004's marketplace, docs/music.md): an artist,
two producers, fans, a master whose audio is a video with its lyrics as a transcript, a signed
contract, an open IPO with allocations, an artist coin with liquidity snapshots, a chain feed
with one reorg imported into the mirror, a revenue period, a dividend paid to the holders, and a
V Studio vote.

Everything runs through the music services, as an API client's calls would. The song and its
lyrics are written for mediabase and dedicated to the public domain (CC0 1.0); the people are
invented (``example.com``); the chain feed comes from the seeded generator
(:mod:`mediabase.music.chain.feed`), so its addresses and hashes are random, not real ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from mediabase.db.connection import Database

MUSIC_SLUG = "demo-artist"
CHAIN = 31337  # the local development chain 0031 seeds (finality depth 12)
FEED_SEED = 4004
MEMBERS = (
    ("mara@demo-artist.example.com", "mara-vell", "artist"),
    ("otto@demo-artist.example.com", "otto-brandt", "producer"),
    ("ines@demo-artist.example.com", "ines-fan", "fan"),
    ("kofi@demo-artist.example.com", "kofi-fan", "fan"),
)
LYRICS = [
    (0, 6_000, "Lights on the water, nobody home"),
    (6_000, 12_500, "the keeper is singing the tide on its own"),
    (12_500, 19_000, "count every wave and you lose one or two"),
    (19_000, 26_000, "Gull Rock is calling, it's calling for you"),
]


async def _members(system: Database, owner: Any) -> list[Any]:
    from mediabase.identity import service as identity
    from mediabase.identity.models import MemberAdd, Principal, Role
    from mediabase.music.catalog import service as catalog
    from mediabase.music.catalog.models import MusicRole, RoleGrant

    out = []
    for email, username, role in MEMBERS:
        await identity.add_member(system, system, owner, MemberAdd(email=email, username=username))
        user = await identity.user_by_email(system, email)
        await catalog.grant_role(system, owner, RoleGrant(user_id=user.id, role=MusicRole(role)))
        out.append(Principal(organization_id=owner.organization_id, user_id=user.id, role=Role.MEMBER))
    return out


async def _master(system: Database, owner: Any, mara: Any, otto: Any) -> Any:
    """The artist, the producers (one without an account), the master with its audio and credits."""
    from mediabase.media.models import VideoCreate
    from mediabase.music.catalog import service as catalog
    from mediabase.music.catalog.models import CreditCreate, MasterCreate, MasterStatus, MasterUpdate, ProfileCreate
    from mediabase.transcripts.formats import ParsedTranscript, Segment
    from mediabase.transcripts.service import ingest_new_video

    artist = await catalog.create_profile(
        system,
        owner,
        "artist",
        ProfileCreate(
            name="Mara Vell", user_id=mara.user_id, bio="Sings about lighthouses. Invented for mediabase's demo."
        ),
    )
    producers = [
        await catalog.create_profile(
            system, owner, "producer", ProfileCreate(name="Otto Brandt", user_id=otto.user_id)
        ),
        await catalog.create_profile(system, owner, "producer", ProfileCreate(name="Sal Okoro", bio="No account yet.")),
    ]
    audio = await ingest_new_video(
        system,
        owner,
        VideoCreate(title="Gull Rock Lights (audio)", language="en"),
        ParsedTranscript(
            format="json",
            source="demo lyrics",
            segments=[Segment(start_ms=a, end_ms=b, text=t, speaker="Mara Vell") for a, b, t in LYRICS],
        ),
    )
    master = await catalog.create_master(
        system,
        owner,
        MasterCreate(artist_id=artist.id, title="Gull Rock Lights", duration_ms=LYRICS[-1][1], video_id=audio.video_id),
    )
    await catalog.add_credit(system, owner, master.id, CreditCreate(producer_id=producers[0].id))
    await catalog.add_credit(system, owner, master.id, CreditCreate(producer_id=producers[1].id, role="mixing"))
    for status in (MasterStatus.review, MasterStatus.published):
        master = await catalog.update_master(system, owner, master.id, MasterUpdate(status=status))
    return artist, producers, master


async def _contract(system: Database, owner: Any, artist: Any, producers: list[Any], master: Any) -> Any:
    """Version 1 (a draft, superseded) and version 2, signed: 50/15/5/10/20 percent."""
    from mediabase.music.catalog import contracts
    from mediabase.music.catalog.models import ContractCreate, Party, SplitLine

    def splits(artist_bps: int, label_bps: int) -> list[SplitLine]:
        return [
            SplitLine(party=Party.artist, artist_id=artist.id, bps=artist_bps),
            SplitLine(party=Party.producer, producer_id=producers[0].id, bps=1500),
            SplitLine(party=Party.producer, producer_id=producers[1].id, bps=500),
            SplitLine(party=Party.label, label_name="Tidewater Records", bps=label_bps),
            SplitLine(party=Party.investors, bps=10_000 - artist_bps - 2000 - label_bps),
        ]

    await contracts.create_contract(
        system,
        owner,
        master.id,
        ContractCreate(splits=splits(6000, 1000), notes="First draft: no investors' pool worth the name."),
    )
    v2 = await contracts.create_contract(
        system,
        owner,
        master.id,
        ContractCreate(splits=splits(5000, 1000), terms={"territory": "world", "term_years": 7}, notes="As signed."),
    )
    return await contracts.sign_contract(system, owner, v2.id)


async def _offering(system: Database, owner: Any, master: Any, fans: list[Any], now: datetime) -> Any:
    """An open IPO of 10,000 shares at 2.50 EUR; the two fans and one on-chain address bought some."""
    from mediabase.music.ledger import offerings
    from mediabase.music.ledger.models import AllocationCreate, IpoCreate

    ipo = await offerings.create_ipo(
        system,
        owner,
        IpoCreate(
            master_id=master.id,
            total_supply=10_000,
            price=Decimal("2.50"),
            currency="EUR",
            opens_at=now - timedelta(days=40),
            closes_at=now + timedelta(days=20),
            open_now=True,
            symbol="GULL",
            name="Gull Rock Lights shares",
        ),
    )
    for who, quantity in ((fans[0], 1200), (fans[1], 800)):
        await offerings.allocate(system, owner, ipo.id, AllocationCreate(quantity=quantity, user_id=who.user_id))
    await offerings.allocate(system, owner, ipo.id, AllocationCreate(quantity=500, address="0x" + "5eed" * 10))
    return ipo


async def _coin(system: Database, owner: Any, artist: Any, now: datetime) -> Any:
    """MARA, a mintable artist coin mirrored from the chain (its supply comes from the feed), and a
    week of liquidity snapshots."""
    from mediabase.music.ledger import offerings
    from mediabase.music.ledger.models import CoinCreate, SnapshotCreate, SupplyPolicy

    coin = await offerings.create_coin(
        system,
        owner,
        CoinCreate(
            artist_id=artist.id,
            symbol="MARA",
            name="Mara Vell coin",
            supply_policy=SupplyPolicy.mintable,
            description="A fan coin; its transfers are mirrored from the demo chain.",
        ),
    )
    for day in range(7):
        await offerings.add_snapshot(
            system,
            owner,
            coin.id,
            SnapshotCreate(
                pool="uniswap-v2:mara-weth",
                observed_at=now - timedelta(days=7 - day),
                reserve_coin=(1_000_000 - 20_000 * day) * 10**18,
                reserve_quote=(40 + day) * 10**18,
                quote_symbol="WETH",
            ),
        )
    return coin


def demo_feed() -> tuple[Any, list[str], list[str]]:
    """The demo's chain: its generator (whose ``fold()`` is the canonical balances) and the two
    batches of feed lines, the second with a reorg of depth 3 after block 31 that drops two
    blocks of the first."""
    from mediabase.music.chain.feed import FeedContract, FeedGenerator

    nft = FeedContract(bytes.fromhex("a11ce0" + "0" * 32 + "01"), "erc721")
    token = FeedContract(bytes.fromhex("a11ce0" + "0" * 32 + "02"), "erc20")
    feed = FeedGenerator(FEED_SEED, [nft, token], holders=8)
    return feed, list(feed.lines(30, 3)), list(feed.lines(10, 3, reorgs={31: 3}))


async def _chain(system: Database, owner: Any, master: Any, coin: Any) -> Any:
    """Two mirrored contracts (the master's NFTs, the coin) and the demo feed, imported in two
    batches: its reorg reaches into the first batch's blocks."""
    from mediabase.music.chain import service as chain
    from mediabase.music.chain.models import ContractCreate, Standard

    feed, first, second = demo_feed()
    nft, token = feed.contracts
    await chain.add_contract(
        system,
        owner,
        ContractCreate(
            chain_id=CHAIN,
            address="0x" + nft.address.hex(),
            standard=Standard.erc721,
            name="Gull Rock Lights NFT",
            master_id=master.id,
        ),
    )
    await chain.add_contract(
        system,
        owner,
        ContractCreate(
            chain_id=CHAIN,
            address="0x" + token.address.hex(),
            standard=Standard.erc20,
            name="MARA",
            asset_id=coin.asset_id,
        ),
    )
    await chain.import_lines(system, owner, CHAIN, ("\n".join(first) + "\n").encode(), name="demo-feed-1.jsonl")
    return await chain.import_lines(system, owner, CHAIN, ("\n".join(second) + "\n").encode(), name="demo-feed-2.jsonl")


async def _revenue(system: Database, owner: Any, master: Any, now: datetime) -> Any:
    """October's streaming and sync revenue, distributed to the share holders and paid."""
    from mediabase.music.revenue import service as revenue
    from mediabase.music.revenue.models import DividendCreate, RevenueEventCreate

    start, end = date(now.year, now.month, 1) - timedelta(days=62), date(now.year, now.month, 1)
    start = start.replace(day=1)
    events = [
        RevenueEventCreate(
            master_id=master.id,
            source=source,
            external_id=ext,
            period_start=start,
            period_end=end,
            amount=amount,
            currency="EUR",
        )
        for source, ext, amount in (
            ("spotify", "sp-2026-q-0001", 1_284_733),
            ("apple_music", "am-77120", 402_118),
            ("sync", "sync-ad-campaign-7", 250_000),
        )
    ]
    await revenue.import_events(system, owner, events, [f"demo statement line {i + 2}" for i in range(len(events))])
    made = await revenue.distribute(
        system,
        owner,
        DividendCreate(
            master_id=master.id, currency="EUR", period_start=start, period_end=end, record_at=datetime.now(UTC)
        ),
    )
    await revenue.pay_all(system, owner, made.dividend.id, external_ref="demo-sepa-batch-1")
    return made.dividend


async def _studio(system: Database, owner: Any, master: Any, fans: list[Any]) -> Any:
    """An open V Studio session weighted by holdings (at its opening: after the allocations); both
    fans voted."""
    from mediabase.music.studio import service as studio
    from mediabase.music.studio.models import SessionCreate, VoteCast, Weighting

    session = await studio.create_session(
        system,
        owner,
        SessionCreate(
            master_id=master.id,
            title="Which mix goes on the vinyl?",
            opens_at=datetime.now(UTC),
            closes_at=datetime.now(UTC) + timedelta(days=7),
            weighting=Weighting.holdings,
            options=["The storm mix", "The calm mix", "Both, side A and B"],
        ),
    )
    for fan, choice in zip(fans, (0, 2), strict=True):
        await studio.vote(system, fan, session.id, VoteCast(option_id=session.options[choice].id))
    return session


async def music_demo(system: Database) -> str:
    """Organization 'demo-artist': the demo music marketplace (idempotent: kept as it is once made)."""
    from mediabase.common.errors import NotFound
    from mediabase.identity import service as identity
    from mediabase.identity.models import OrganizationCreate

    try:
        await identity.organization_by_slug(system, MUSIC_SLUG)
        return f"music demo: organization '{MUSIC_SLUG}' is there already"
    except NotFound:
        pass
    operator = await identity.operator_user(system)
    await identity.create_organization(
        system, OrganizationCreate(name="Demo: Mara Vell, an independent artist", slug=MUSIC_SLUG), operator.id
    )
    owner = await identity.acting_owner(system, MUSIC_SLUG)
    mara, otto, *fans = await _members(system, owner)
    now = datetime.now(UTC).replace(microsecond=0)
    artist, producers, master = await _master(system, owner, mara, otto)
    contract = await _contract(system, owner, artist, producers, master)
    ipo = await _offering(system, owner, master, fans, now)
    coin = await _coin(system, owner, artist, now)
    imported = await _chain(system, owner, master, coin)
    dividend = await _revenue(system, owner, master, now)
    await _studio(system, owner, master, fans)
    return (
        f"music demo: organization '{MUSIC_SLUG}' with the master 'Gull Rock Lights' (contract v{contract.version}"
        f" signed, IPO of {ipo.total_supply:,} shares), a chain feed with {len(imported.reorgs)} reorg"
        f" ({imported.reorgs[0].orphaned_transfers if imported.reorgs else 0} transfers orphaned), head"
        f" {imported.head}, final to {imported.finalized}, a dividend of"
        f" {dividend.distributable / 100:,.2f} {dividend.currency} paid to {dividend.holders} holders"
    )
