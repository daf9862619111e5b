"""PDF and CSV summaries of a family, and the parents' copy of the agreement."""
