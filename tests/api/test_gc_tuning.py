"""While the app serves, the objects that existed at startup are out of the garbage
collector's passes (api/gc_tuning.py); when it stops, they are back."""

from __future__ import annotations

import asyncio
import gc

from datora_graph.api import create_app
from datora_graph.api.gc_tuning import long_lived_objects_set_aside
from datora_graph.config import Settings


def test_startup_objects_are_frozen_while_serving_and_thawed_after() -> None:
    before = gc.get_freeze_count()

    with long_lived_objects_set_aside():
        frozen = gc.get_freeze_count()

    assert frozen > before
    assert gc.get_freeze_count() == 0


def test_the_app_sets_them_aside_for_as_long_as_it_runs(settings: Settings) -> None:
    app = create_app(settings)

    async def serve_briefly() -> int:
        async with app.router.lifespan_context(app):
            return gc.get_freeze_count()

    assert asyncio.run(serve_briefly()) > 0
    assert gc.get_freeze_count() == 0
