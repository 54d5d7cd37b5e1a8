"""music.chain (docs/music.md)."""
