"""The pure resolution engine: guards, union by size, survivorship; no I/O."""
