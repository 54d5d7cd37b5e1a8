"""Data governance: retention that acts (:mod:`.retention`) and the data subject's rights —
export and erasure (:mod:`.erasure`, :mod:`.requests`)."""
