"""The server's garbage collection: the objects of startup are set aside.

Measured under load (a journey page a request, 50 clients): every few hundred requests
Python's collector made a full pass over every tracked object, the modules, the schema and
the store's caches included (about 120,000 objects), and the server stood still for
80-100 ms, most of a request's p99. Objects made at startup live as long as the server, so
they are frozen out of the collector (`gc.freeze`): a full pass then walks only what requests
left behind (a few thousand objects, under 10 ms). Collecting young objects less often was
measured too and made it worse: each collection then walked tens of thousands of objects at
once (16-49 ms).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived_objects_set_aside() -> Iterator[None]:
    """While serving, the objects that exist now are left out of every collection."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
