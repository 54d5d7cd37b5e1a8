"""The music-rights marketplace of seed 004 (AudiFi): artists, producers and masters (catalog),
contracts, IPOs, the double-entry ownership ledger, chain mirroring with reorgs, revenue and
dividends, artist coins and liquidity, and V Studio votes (docs/music.md).

Modules, lowest first (imports flow down, enforced by ``lint-imports``): ``catalog`` → ``ledger`` →
``chain`` → ``revenue`` | ``studio``.
"""
