"""testtune's in-sandbox executor: runs pytest files against code and judges the runs.

Entry point: ``python -m testtune_executor.server`` (see server.py and docs/sandbox.md).
Also here, used by other parts of testtune: ``mutate`` (AST mutants), ``assertions`` (static
count of a test file's checks) and ``calls`` (expected values of reference tests).
"""
