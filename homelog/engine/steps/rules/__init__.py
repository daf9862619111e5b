"""The engine's rules, one function per rule of product.md "What the engine must notice".

Each rule reads a `History` (the visits up to as_of) and returns findings; none touches the
database or the clock. `homelog.engine.steps.analysis` runs them all.
"""
