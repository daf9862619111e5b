"""The fluctuation engine: notice, across all the agencies' visits, what no one of them sees.

It is a pipeline (docs: architecture, rule 6), read in this order:

  read       facts.py        the families' visits, agreements and core groups (FamilyFacts);
             state.py        what changed since each was last analysed (the engine rows);
             flag_store.py   their open and acknowledged flags.
  steps/     pure functions, no database (see steps/__init__.py):
             analysis.py     facts -> findings (the rules in steps/rules/);
             concerns.py     findings -> concerns, and picture.py the family picture;
             plan.py         findings + stored flags -> flags to open, refresh, close;
             news.py         that change -> the inbox's news, concern by concern.
  write      flag_store.py   the plans, with their news sent upward (engine/signals.py,
                             which alerts hears: inbox entries and emails);
             state.py        each family analysed, and when to look again.

services.py runs it for a batch of families (and for the immediate concerns a recorded
visit raises); jobs.py is the scheduled run. Reading the results: flags.py (responding to
flags), concerns_service.py (concerns read back from flags), caseload.py, trends.py.
parameters.py holds the partnership's thresholds.
"""
