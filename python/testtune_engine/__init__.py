"""testtune's engine: every job that touches tensors, one process per job.

Run a job with `python -m testtune_engine <job> --spec <spec.json>`; the protocol (spec
files, JSON-lines events on stdout, exit codes, interruption and resume) is described in
docs/engine-protocol.md.
"""

SPEC_VERSION = 1
