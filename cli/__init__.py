"""The ``assembly`` command line: the composition root that wires ledger, domain and projections."""
