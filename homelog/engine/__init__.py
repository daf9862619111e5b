"""The fluctuation engine: notice, across all the agencies' visits, what no one of them sees."""
