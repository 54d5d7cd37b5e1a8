"""music.ledger (docs/music.md)."""
