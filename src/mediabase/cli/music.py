"""``mediabase music …``: the music-rights marketplace of seed 004 from a terminal (docs/music.md).

An artist's organization is named by ``--org`` (slug); the commands act as its first OWNER.
Each part (catalog, ledger, chain, revenue, studio) adds its commands from its own module.
"""

from __future__ import annotations

import typer

from mediabase.cli import music_catalog, music_chain, music_ledger, music_revenue, music_studio

app = typer.Typer(
    help="The music-rights marketplace: artists, producers, masters and their contracts, IPOs, the "
    "ownership ledger, NFTs mirrored from a chain (with reorgs), revenue and dividends, artist coins "
    "and V Studio votes. Start with 'mediabase music artists'.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    for part in (music_catalog, music_ledger, music_chain, music_revenue, music_studio):
        part.add_commands(app)
    root.add_typer(app, name="music", rich_help_panel="Music marketplace")
