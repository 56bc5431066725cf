"""The store conformance suite: the same tests, the same answers, for every `GraphStore`."""
