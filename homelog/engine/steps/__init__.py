"""The engine's pure steps, in pipeline order: no database, no clock, no app.

1. analysis.py (with history.py, rules/ and analysis_wording.py): a family's facts and the
   partnership's parameters in, findings out; also the family page's figures and when a
   time-based finding next comes true. types.py holds what passes between the steps.
2. concerns.py (with concerns_wording.py): findings grouped into concerns, one per domain
   and per immediate danger; picture.py says the family picture from them.
3. plan.py: findings against the stored flags, decided as flags to open, refresh and
   close; news.py says what the change means for the core group's inbox, concern by
   concern.

Each step is a function of the one before, testable alone.
"""
