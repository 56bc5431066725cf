"""Reading observation and event files into wire items, streamed one item at a time.

Two formats, chosen by extension (`.jsonl`, `.ndjson`, `.csv`) or named explicitly:

**JSONL**: one wire item (see `domain/records.py`) per line; blank lines are skipped. A line
that is not valid JSON is passed on as its text with the reason (`UnreadableLine`), so the
service rejects it with that reason and it is listed by `datora rejected`;
`RecordFile.problems` says which line it was.

**CSV** (UTF-8, comma-separated, first row is the header; header names are trimmed and
lower-cased):

- observations need the columns `id`, `source`, `observed_at`; events need `id`, `type`,
  `occurred_at`, `source`;
- a column named after an identifier type (`email`, `phone`, `crm_id`, ... or a configured
  type), optionally with a numeric suffix (`email_2`), holds one identifier; an empty cell
  means none;
- a column named twice (`city` and `City`) stops the file at its header, but for identifier
  columns, which may repeat;
- every other column is an attribute of an observation, or a property of an event; empty
  cells are left out, values stay text, but for an event's `revenue`, which the traits sum
  and JSON carries as a number: a cell such as `42.50` or `-3` is read as that number (any
  other text stays text, adds no revenue, and is noted against its line);
- quoting is read strictly: a quoted value that is never closed, or that has text after its
  closing quote, stops the file at its row rather than being read some other way.

For example:

    id,source,observed_at,email,email_2,phone,first_name
    crm-1,crm,2026-05-01T10:00:00Z,ann@acme-mail.com,,+14155550101,Ann
"""

from __future__ import annotations

import csv
import re
from array import array
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from datora_graph.domain.records import RecordKind, UnreadableLine
from datora_graph.json_codec import ClientJsonError, read_client_json

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

FileFormat = Literal["jsonl", "csv"]
FORMAT_OF_SUFFIX: dict[str, FileFormat] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
REQUIRED_COLUMNS: dict[RecordKind, tuple[str, ...]] = {
    "observation": ("id", "source", "observed_at"),
    "event": ("id", "type", "occurred_at", "source"),
}
EXTRA_FIELD: dict[RecordKind, str] = {"observation": "attributes", "event": "properties"}
MAX_PROBLEMS = 1000
"""How many reader problems are kept for display; the service records every rejection."""
_NUMBERED = re.compile(r"^(?P<type>[a-z][a-z0-9_]*?)_(?P<n>\d+)$")
NUMBER_COLUMNS: dict[RecordKind, frozenset[str]] = {
    "observation": frozenset(),
    "event": frozenset({"revenue"}),
}
"""Extra columns read as numbers: the event property the traits sum (`domain/traits.py`)."""
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


class UnreadableFile(Exception):
    """The file cannot be read at all (missing, not UTF-8 CSV, no usable header); the message
    is written for the person who named the file. Item-level problems are never raised."""


@dataclass(frozen=True, slots=True)
class Column:
    """What a CSV column holds: a top-level field, an identifier of a type, or an extra."""

    name: str
    role: Literal["field", "identifier", "extra", "unnamed"]
    identifier_type: str = ""


class RecordFile:
    """An open JSONL or CSV file, iterated once as wire items (dicts, or the text of a bad line).

    `line_of(index)` is the line an item started on; `bytes_read` and `size` drive a progress
    bar; `problems` maps an item's index to what the reader found wrong with it. A CSV header
    is read on opening, so a file without the required columns fails before anything is sent.
    """

    def __init__(
        self,
        path: Path,
        kind: RecordKind,
        file_format: FileFormat,
        identifier_types: Collection[str],
    ) -> None:
        self.path = path
        self.kind = kind
        self.format = file_format
        self.identifier_types = frozenset(identifier_types)
        self.bytes_read = 0
        self.problems: dict[int, str] = {}
        self._lines = array("Q")
        self.texts: dict[int, str] | None = None
        """Set to `{}` to collect the JSON text of each JSONL item by its index (the bulk
        parser keeps a line as sent instead of encoding the parsed item again); the reader
        of the items removes what it has used."""
        self._file = _open_binary(path)
        self.size = _size_of(path)
        try:
            self._items = self._jsonl() if file_format == "jsonl" else self._csv()
        except BaseException:
            self._file.close()
            raise

    def line_of(self, index: int) -> int:
        return self._lines[index]

    def lines_between(self, start: int, end: int) -> bytes:
        """The lines items `start` to `end` (exclusive) began on, as `array("Q")` bytes."""
        return self._lines[start:end].tobytes()

    def __iter__(self) -> Iterator[object]:
        return self._items

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RecordFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _note(self, problem: str) -> None:
        index = len(self._lines) - 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems[index] = problem

    def _jsonl(self) -> Iterator[object]:
        for number, raw in enumerate(self._file, start=1):
            self.bytes_read += len(raw)
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            self._lines.append(number)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                reason = f"is not UTF-8 text ({exc.reason} at byte {exc.start})"
                self._note(reason)
                yield UnreadableLine(raw.decode("utf-8", errors="backslashreplace"), reason)
                continue
            try:
                item = read_client_json(text.rstrip("\r\n"), root="")
            except ClientJsonError as exc:
                self._note(str(exc))
                yield UnreadableLine(text, str(exc), exc.field)
                continue
            if self.texts is not None:
                self.texts[len(self._lines) - 1] = text
            yield item

    def _csv(self) -> Iterator[object]:
        # Strict: a lax reader takes `"a"b` as `ab`, and a quote never closed swallows every
        # line after it into one value; both would change or hide what the file holds.
        reader = csv.reader(self._text_lines(), strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise UnreadableFile(_csv_problem(self.path, 1, exc)) from None
        if header is None:
            return iter(())
        return self._csv_rows(reader, self._columns(header))

    def _csv_rows(self, reader: CsvReader, columns: list[Column]) -> Iterator[object]:
        row_start = reader.line_num + 1
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    self._lines.append(row_start)
                    yield self._row_item(columns, cells)
                row_start = reader.line_num + 1
        except csv.Error as exc:
            raise UnreadableFile(_csv_problem(self.path, row_start, exc)) from None

    def _text_lines(self) -> Iterator[str]:
        for number, raw in enumerate(self._file, start=1):
            self.bytes_read += len(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise UnreadableFile(
                    f"{self.path}, line {number}: is not UTF-8 text; save the file as UTF-8"
                ) from None
            yield text.removeprefix("\ufeff") if number == 1 else text

    def _columns(self, header: list[str]) -> list[Column]:
        names = [name.strip().lower() for name in header]
        required = REQUIRED_COLUMNS[self.kind]
        missing = [name for name in required if name not in names]
        if missing:
            raise UnreadableFile(
                f"{self.path}: the header has no column {', '.join(missing)} "
                f"({self.kind}s need the columns {', '.join(required)})"
            )
        columns = [self._column(name, required) for name in names]
        _refuse_a_name_given_twice(self.path, columns)
        return columns

    def _column(self, name: str, required: tuple[str, ...]) -> Column:
        if not name:
            return Column(name, "unnamed")
        if name in required:
            return Column(name, "field")
        if name in self.identifier_types:
            return Column(name, "identifier", name)
        numbered = _NUMBERED.match(name)
        if numbered and numbered["type"] in self.identifier_types:
            return Column(name, "identifier", numbered["type"])
        return Column(name, "extra")

    def _row_item(self, columns: list[Column], cells: list[str]) -> dict[str, Any]:
        item: dict[str, Any] = {}
        identifiers: list[dict[str, str]] = []
        extras: dict[str, str | int | float] = {}
        homeless = [cell for cell in cells[len(columns) :] if cell.strip()]
        for column, cell in zip(columns, cells, strict=False):
            if column.role == "field":
                item[column.name] = cell
            elif not cell.strip():
                continue
            elif column.role == "identifier":
                identifiers.append({"type": column.identifier_type, "value": cell})
            elif column.role == "extra" and column.name in NUMBER_COLUMNS[self.kind]:
                extras[column.name] = self._number(column.name, cell)
            elif column.role == "extra":
                extras[column.name] = cell
            else:
                homeless.append(cell)
        item["identifiers"] = identifiers
        item[EXTRA_FIELD[self.kind]] = extras
        if homeless:
            # The service rejects the unknown field, so the row is listed, not silently cut.
            self._note(f"has values in no named column: {homeless!r}")
            item["cells_without_a_column"] = homeless
        return item

    def _number(self, name: str, cell: str) -> str | int | float:
        """The cell as a number (an int when it has no fraction), or its text with a note."""
        text = cell.strip()
        if not _DECIMAL.fullmatch(text):
            self._note(f"{name} {cell!r} is not a number; kept as text, it adds no revenue")
            return cell
        return float(text) if "." in text else int(text)


def _refuse_a_name_given_twice(path: Path, columns: list[Column]) -> None:
    """Two columns for one field or attribute (`city`, `City`): a row would keep one value
    and drop the other unsaid. Identifier columns may repeat, each cell an identifier."""
    first: dict[str, int] = {}
    for number, column in enumerate(columns, start=1):
        if column.role not in ("field", "extra"):
            continue
        if column.name in first:
            raise UnreadableFile(
                f"{path}: the header names the column {column.name} twice (columns "
                f"{first[column.name]} and {number}; names are read in lower case), so a row "
                "would give it two values; rename or remove one"
            )
        first[column.name] = number


def _csv_problem(path: Path, line: int, error: csv.Error) -> str:
    """What the csv module found wrong with the row that starts at `line`, in words that say
    what to fix."""
    text = str(error)
    if text == "unexpected end of data":
        problem = "a quoted value opens here and is never closed (the file ends inside it)"
    elif text.endswith("expected after '\"'"):
        problem = (
            "a quoted value is followed by more text before the next comma "
            '(a quote inside a quoted value is written "")'
        )
    elif text.startswith("field larger than field limit"):
        problem = f"{text}; most often a quoted value that is never closed"
    else:
        problem = text
    return f"{path}, line {line}: {problem}"


def format_of(path: Path, explicit: FileFormat | None = None) -> FileFormat:
    """The explicit format, else the one the extension names."""
    if explicit is not None:
        return explicit
    known = FORMAT_OF_SUFFIX.get(path.suffix.lower())
    if known is None:
        raise UnreadableFile(
            f"Cannot tell the format of {path} from its extension; "
            "name it .jsonl or .csv, or pass --format jsonl or --format csv"
        )
    return known


def open_record_file(
    path: Path,
    kind: RecordKind,
    identifier_types: Collection[str],
    file_format: FileFormat | None = None,
) -> RecordFile:
    """Open `path` for streaming; raises UnreadableFile with a reason a person understands."""
    return RecordFile(path, kind, format_of(path, file_format), identifier_types)


def _open_binary(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise UnreadableFile(f"Cannot open {path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(f"Cannot open {path}: it is a directory") from None
    except PermissionError:
        raise UnreadableFile(f"Cannot open {path}: permission denied") from None
    except OSError as exc:
        raise UnreadableFile(f"Cannot open {path}: {exc.strerror or exc}") from None


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
