"""The story platform of seed 002: topics, ideas, scenes, their segments, versioned bibles and
summaries, continuations as jobs, likes, views, moderation and counters that stay true, and a
public read path (docs/stories.md)."""
