"""Bulk ingest of an observation file on two cores: a parser process reads and parses the
file while this process resolves and commits what it has already parsed.

Parsing needs nothing but the identifier registry and takes about a third of the time a
file costs in one process (JSON, phone numbers, e-mail checks), so it runs beside the rest.
The parser sends compact tuples (not pickled dataclasses), a batch at a time, at most a few
batches ahead; each batch is then resolved and committed in one transaction exactly as
`IdentityService.ingest_observations` would, so the outcome is that of `ingest_stream` over
the same file, except that the log keeps each line as it was written rather than an encoding
of the same JSON.

    >>> with ParsedObservationFile(path, settings) as parsed:       # doctest: +SKIP
    ...     report = service.ingest_parsed_stream(parsed)
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import threading
import traceback
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Any

from datora_graph.config import Settings
from datora_graph.domain.identifiers import Identifier, IdentifierRegistry
from datora_graph.domain.records import Observation, Rejection
from datora_graph.ingest_files import FileFormat, RecordFile, UnreadableFile, open_record_file
from datora_graph.services import ItemResult, ParsedItems, parse_items

BATCHES_AHEAD = 3
"""Parsed batches the parser may hold ready: enough to ride out a slow commit, few enough to
keep memory flat."""
_POLL_SECONDS = 1.0
_IDENTIFIER_CACHE_SIZE = 200_000

# A parsed observation on the wire: (index in batch, id, source, observed_at, identifier keys,
# junk identifier keys, attributes, raw JSON, consent statements).
_WireObservation = tuple[
    int, str, str, datetime, tuple[str, ...], tuple[str, ...], Any, str, tuple[Any, ...]
]
# A rejected item on the wire: (index in batch, item id, field, reason, payload, received at).
_WireRejection = tuple[int, str | None, str, str, str, datetime]


class ParsedObservationFile:
    """An observation file parsed by a second process, iterated as `ParsedItems` batches of
    `settings.ingest_batch_size` items.

    Answers what the command line asks of a `RecordFile` for its progress bar and report:
    `size`, `bytes_read`, `line_of(index)` and `problems`. Raises `UnreadableFile` on opening
    (a CSV without the required columns) or, after the batches before it, where the file
    turns out unreadable part-way, as reading it in this process would."""

    def __init__(
        self, path: Path, settings: Settings, file_format: FileFormat | None = None
    ) -> None:
        self.path = path
        self.size = 0
        self.bytes_read = 0
        self.problems: dict[int, str] = {}
        self._lines = array("Q")
        self._identifiers: dict[str, Identifier] = {}
        context = _process_context()
        self._queue: Any = context.Queue(maxsize=BATCHES_AHEAD)
        self._process: BaseProcess = context.Process(
            target=_parse_file,
            args=(path, settings, file_format, self._queue),
            name="datora-parser",
            daemon=True,
        )
        self._process.start()
        kind, payload = self._receive()
        if kind != "opened":
            self.close()
            self._raise(kind, payload)
        self.size = int(payload)

    def line_of(self, index: int) -> int:
        return self._lines[index]

    def __iter__(self) -> Iterator[ParsedItems[Observation]]:
        offset = 0
        while True:
            kind, payload = self._receive()
            if kind == "end":
                return
            if kind != "batch":
                self._raise(kind, payload)
            count, observations, rejected, lines, problems, bytes_read = payload
            self._lines.frombytes(lines)
            for index, problem in problems:
                self.problems.setdefault(offset + index, problem)
            self.bytes_read = bytes_read
            offset += count
            yield self._batch(count, observations, rejected)

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=10)
        self._queue.close()
        self._queue.cancel_join_thread()

    def __enter__(self) -> ParsedObservationFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _receive(self) -> tuple[str, Any]:
        while True:
            try:
                message: tuple[str, Any] = self._queue.get(timeout=_POLL_SECONDS)
                return message
            except queue.Empty:
                if not self._process.is_alive():
                    raise RuntimeError(
                        f"the parser process of {self.path} stopped "
                        f"(exit code {self._process.exitcode}) before it finished the file"
                    ) from None

    def _raise(self, kind: str, payload: Any) -> None:
        if kind == "unreadable":
            raise UnreadableFile(str(payload))
        raise RuntimeError(f"the parser process of {self.path} failed:\n{payload}")

    def _batch(
        self,
        count: int,
        observations: list[_WireObservation],
        rejected: list[_WireRejection],
    ) -> ParsedItems[Observation]:
        batch: ParsedItems[Observation] = ParsedItems(count)
        identifier = self._identifier
        for wire in observations:
            index, item_id, source, observed_at, keys, junk, attributes, raw, consent = wire
            identifiers = tuple([identifier(key) for key in keys])
            junk_set = frozenset([identifier(key) for key in junk]) if junk else _NO_JUNK
            batch.records.append(
                (
                    index,
                    Observation(
                        item_id,
                        source,
                        observed_at,
                        identifiers,
                        junk_set,
                        attributes,
                        raw,
                        consent=consent,
                    ),
                )
            )
        for index, rejected_id, field, reason, payload, received_at in rejected:
            batch.results[index] = ItemResult(index, rejected_id, "rejected", field, reason)
            batch.rejections.append(
                Rejection("observation", rejected_id, field, reason, payload, received_at)
            )
        return batch

    def _identifier(self, key: str) -> Identifier:
        """One `Identifier` per key: bulk data repeats the same identifiers again and again."""
        known = self._identifiers.get(key)
        if known is None:
            if len(self._identifiers) >= _IDENTIFIER_CACHE_SIZE:
                self._identifiers.clear()
            known = self._identifiers[key] = Identifier.from_key(key)
        return known


_NO_JUNK: frozenset[Identifier] = frozenset()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often while ingesting in bulk: a batch allocates hundreds of
    thousands of short-lived containers, each of which would otherwise count towards a
    collection that walks every long-lived object (caches, the batch itself) for nothing.
    Memory freed by reference counting is unaffected."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _process_context() -> ForkContext | SpawnContext:
    """Fork when nothing else runs in this process (quick, and safe then); spawn otherwise."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _parse_file(path: Path, settings: Settings, file_format: FileFormat | None, out: Any) -> None:
    """The parser process: everything it finds goes to `out`, failures included."""
    _detach_from_terminal_output()
    send = _Sender(out)
    try:
        registry = settings.identifier_registry()
        records = open_record_file(path, "observation", registry.types, file_format)
    except UnreadableFile as exc:
        send(("unreadable", str(exc)))
        return
    except Exception:
        send(("failed", traceback.format_exc()))
        return
    try:
        with records, fewer_collections():
            records.texts = {}
            send(("opened", records.size))
            size = settings.ingest_batch_size
            items: list[object] = []
            first = 0
            for item in records:
                items.append(item)
                if len(items) >= size:
                    send(("batch", _wire(items, registry, records, first, settings)))
                    first += len(items)
                    items = []
            if items:
                send(("batch", _wire(items, registry, records, first, settings)))
        send(("end", None))
    except UnreadableFile as exc:
        send(("unreadable", str(exc)))
    except (KeyboardInterrupt, _ParentGone):
        # Data still buffered for the pipe would keep the queue's feeder thread, and with it
        # this process, waiting at exit for a reader that is gone.
        out.cancel_join_thread()
        return
    except Exception:
        send(("failed", traceback.format_exc()))


class _ParentGone(Exception):
    """The ingesting process ended (killed, say): nobody reads what the parser sends."""


class _Sender:
    """Puts messages on the queue, giving up once the process that reads them is gone, so a
    parser never outlives a killed ingest."""

    def __init__(self, out: Any) -> None:
        self._out = out
        self._parent = os.getppid()

    def __call__(self, message: tuple[str, Any]) -> None:
        while True:
            if os.getppid() != self._parent:
                raise _ParentGone
            try:
                self._out.put(message, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue


def _detach_from_terminal_output() -> None:
    """The parser reports through the queue only; holding the ingest's stdout and stderr open
    would keep whoever waits for them waiting after the ingest itself has ended."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (1, 2):
        os.dup2(devnull, stream)
    os.close(devnull)


def _wire(
    items: list[object],
    registry: IdentifierRegistry,
    records: RecordFile,
    first: int,
    settings: Settings,
) -> tuple[int, list[_WireObservation], list[_WireRejection], bytes, list[Any], int]:
    """A parsed batch as plain tuples, with the file lines and reader problems of its items."""
    texts = records.texts or {}
    end = first + len(items)
    parsed = parse_items(
        items,
        "observation",
        registry,
        [texts.pop(i, None) for i in range(first, end)],
        latest=settings.latest_accepted_time(),
    )
    observations: list[_WireObservation] = []
    for index, o in parsed.records:
        observations.append(
            (
                index,
                o.id,
                o.source,
                o.observed_at,
                tuple([i.key for i in o.identifiers]),
                tuple([i.key for i in o.junk]) if o.junk else (),
                o.attributes,
                o.raw,
                o.consent,
            )
        )
    rejected: list[_WireRejection] = [
        (index, r.item_id, r.field, r.reason, r.payload, r.received_at)
        for index, r in zip(parsed.results, parsed.rejections, strict=True)
    ]
    lines = records.lines_between(first, end)
    problems = [(i - first, p) for i, p in records.problems.items() if first <= i < end]
    return len(items), observations, rejected, lines, problems, records.bytes_read
