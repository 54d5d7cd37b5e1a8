"""music.revenue (docs/music.md)."""
