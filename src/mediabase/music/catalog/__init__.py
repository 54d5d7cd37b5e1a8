"""music.catalog (docs/music.md)."""
