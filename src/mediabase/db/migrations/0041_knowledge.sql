SELECT 1;  -- placeholder: the knowledge graph (issue 15)
