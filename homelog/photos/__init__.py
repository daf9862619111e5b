"""Photos: evidence for scores, stripped of all metadata, shown only to the core group."""
