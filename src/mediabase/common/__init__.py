"""Small shared building blocks below every domain (they import nothing of mediabase)."""
