"""The knowledge graph (docs/knowledge.md): nodes, edges and their evidence, derived as an AI layer."""
