"""The fluctuation engine: notice, across every agency's visits, what no single practitioner sees."""
