"""Meeting intelligence: AI layers and summaries, the decision registry, topics, action items,
and the AMI corpus annotations loaded as AI layers (docs/insights.md)."""
