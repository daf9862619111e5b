"""Retention: records past their period are purged by one audited path; legal holds keep a
family's records whatever their age."""
