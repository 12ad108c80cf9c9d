"""One module per engine job; each exposes `Spec` (a dataclass) and `run(spec)`."""
