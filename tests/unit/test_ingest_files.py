"""Reading a JSONL file loses nothing, whatever its lines hold: every line that is not blank
becomes exactly one item (an object, or an `UnreadableLine` with the reason), and parsing
gives each of them a result."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.records import UnreadableLine
from datora_graph.ingest_files import UnreadableFile, open_record_file
from datora_graph.services import parse_items

REGISTRY = IdentifierRegistry.default()
GOOD = json.dumps(
    {
        "id": "o1",
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [{"type": "email", "value": "ann@acme.io"}],
    }
).encode()

LINES = st.one_of(
    st.just(GOOD),
    st.just(b""),
    st.just(b"   \t"),
    st.just(b"[" * 3_000 + b"]" * 3_000),
    st.just(b'{"id": "o2", oops}'),
    st.just(b'{"id": "\xff\xfe"}'),
    st.just(b"null"),
    st.binary(max_size=40).filter(lambda b: b"\n" not in b and b"\r" not in b),
    st.text(max_size=40).map(lambda t: json.dumps({"id": t}).encode()),
    st.just(b'{"id": "o3", "id": "o4"}'),
)


@settings(max_examples=200)
@given(lines=st.lists(LINES, max_size=30), ending=st.sampled_from([b"\n", b"\r\n"]))
def test_every_line_that_is_not_blank_is_one_item_with_a_result(
    tmp_path_factory: object, lines: list[bytes], ending: bytes
) -> None:
    folder = tmp_path_factory.mktemp("lines")  # type: ignore[attr-defined]
    path = Path(folder) / "lines.jsonl"
    path.write_bytes(b"".join(line + ending for line in lines))
    # A byte-order mark opening the file is not content.
    content = [lines[0].removeprefix(b"\xef\xbb\xbf"), *lines[1:]] if lines else []
    expected = sum(1 for line in content if line.strip())

    with open_record_file(path, "observation", REGISTRY.types) as records:
        items = list(records)

    assert len(items) == expected
    for item in items:
        assert not isinstance(item, str) or isinstance(item, UnreadableLine)
        if isinstance(item, UnreadableLine):
            assert item.reason.startswith(("is ", "holds ", "gives "))
    parsed = parse_items(items, "observation", REGISTRY)
    assert parsed.count == expected
    assert len(parsed.records) + len(parsed.results) == expected


CELLS = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12
)


@settings(max_examples=200)
@given(
    rows=st.lists(st.tuples(CELLS, CELLS), min_size=1, max_size=20),
    dialect=st.sampled_from([("\r\n", csv.QUOTE_MINIMAL), ("\n", csv.QUOTE_ALL)]),
)
def test_a_csv_written_by_a_csv_writer_reads_back_cell_for_cell(
    tmp_path_factory: object, rows: list[tuple[str, str]], dialect: tuple[str, int]
) -> None:
    """Quotes, commas and line breaks inside cells included: what a spreadsheet writes is what
    the service receives, one item per row."""
    folder = tmp_path_factory.mktemp("csv")  # type: ignore[attr-defined]
    path = Path(folder) / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        # RFC 4180 lines, or every cell quoted: with minimal quoting and "\n" lines, Python's
        # writer leaves a lone "\r" unquoted, and a reader rightly takes it as a line end.
        ending, quoting = dialect
        writer = csv.writer(handle, lineterminator=ending, quoting=quoting)
        writer.writerow(["id", "source", "observed_at", "note"])
        for number, (source, note) in enumerate(rows):
            writer.writerow([f"o{number}", source, "2026-05-01T10:00:00Z", note])
    sent = [(f"o{n}", source, note) for n, (source, note) in enumerate(rows)]

    with open_record_file(path, "observation", REGISTRY.types) as records:
        items = list(records)

    assert [(i["id"], i["source"], i["attributes"].get("note", "")) for i in items] == [
        (item_id, source, note if note.strip() else "") for item_id, source, note in sent
    ]


def test_an_events_revenue_cell_is_read_as_the_number_the_traits_sum(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "id,type,occurred_at,source,email,revenue,order_id\n"
        "e1,purchase,2026-05-01T10:00:00Z,shop,ann@acme.io,42.50,007\n"
        "e2,purchase,2026-05-01T11:00:00Z,shop,ann@acme.io, -3 ,008\n"
        "e3,purchase,2026-05-01T12:00:00Z,shop,ann@acme.io,about 5,009\n",
        encoding="utf-8",
    )

    with open_record_file(path, "event", REGISTRY.types) as records:
        items = list(records)
        problems = dict(records.problems)

    assert [i["properties"]["revenue"] for i in items] == [42.5, -3, "about 5"]
    assert [i["properties"]["order_id"] for i in items] == ["007", "008", "009"], "text stays"
    assert list(problems.values()) == [
        "revenue 'about 5' is not a number; kept as text, it adds no revenue"
    ]


COLUMN_NAMES = st.one_of(
    st.sampled_from(
        ["email", "Email", "email_2", "phone", "crm_id_3", "city", "City", " city ", "note", ""]
    ),
    st.text(alphabet="abcE_ 2", max_size=6),
)


def _is_identifier_column(name: str) -> bool:
    kind, _, number = name.rpartition("_")
    return name in REGISTRY.types or (number.isdigit() and kind in REGISTRY.types)


@settings(max_examples=200)
@given(
    names=st.lists(COLUMN_NAMES, max_size=6),
    rows=st.lists(st.lists(CELLS, min_size=9, max_size=9), min_size=1, max_size=5),
)
def test_every_cell_of_a_csv_row_reaches_its_item_or_the_header_is_refused(
    tmp_path_factory: object, names: list[str], rows: list[list[str]]
) -> None:
    """A row's cell is an identifier, an attribute, a field or a cell without a column: never
    dropped. Two columns that would give one field or attribute two values (`city` and
    `City`) stop the file at its header, naming the column."""
    folder = tmp_path_factory.mktemp("columns")  # type: ignore[attr-defined]
    path = Path(folder) / "columns.csv"
    header = ["id", "source", "observed_at", *names]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(row[: len(header)] for row in rows)
    read_names = [name.strip().lower() for name in header]
    named_once = [n for n in read_names if n and not _is_identifier_column(n)]
    twice = sorted({n for n in named_once if named_once.count(n) > 1})

    if twice:
        with pytest.raises(UnreadableFile, match="twice") as refused:
            open_record_file(path, "observation", REGISTRY.types)
        assert any(f"the column {name} twice" in str(refused.value) for name in twice)
        return
    with open_record_file(path, "observation", REGISTRY.types) as records:
        items = list(records)

    sent = [row[: len(header)] for row in rows if any(cell.strip() for cell in row[: len(header)])]
    assert len(items) == len(sent)
    for item, row in zip(items, sent, strict=True):
        assert isinstance(item, dict)
        received = [
            item["id"],
            item["source"],
            item["observed_at"],
            *(i["value"] for i in item["identifiers"]),
            *item["attributes"].values(),
            *item.get("cells_without_a_column", ()),
        ]
        kept = row[:3] + [cell for cell in row[3:] if cell.strip()]
        assert sorted(received) == sorted(kept)


def test_a_line_giving_a_key_twice_is_rejected_naming_the_key_as_its_field(
    tmp_path: Path,
) -> None:
    path = tmp_path / "twice.jsonl"
    item = json.loads(GOOD)
    line = json.dumps(item)[:-1] + ', "attributes": {"city": "Paris", "city": "Berlin"}}'
    path.write_text(line + "\n" + GOOD.decode() + "\n", encoding="utf-8")

    with open_record_file(path, "observation", REGISTRY.types) as records:
        items = list(records)
    parsed = parse_items(items, "observation", REGISTRY)

    assert [index for index, _ in parsed.records] == [1]
    [rejection] = parsed.rejections
    assert rejection.field == "attributes.city"
    assert rejection.reason.startswith('gives the key "city" twice in one object, at attributes')
    assert json.loads(rejection.payload) == line, "kept as sent"
