"""The partnership's versioned baseline (the rubric) and each family's agreed levels."""
