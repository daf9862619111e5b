"""A realistic demo partnership for trying Homelog out (fictional families, role-named users)."""
