"""The shared kernel below every domain (it imports nothing of mediabase outside itself):
input types (:mod:`.types`), the model base and pages (:mod:`.models`), page cursors
(:mod:`.cursors`) and the errors mediabase raises on purpose (:mod:`.errors`)."""
