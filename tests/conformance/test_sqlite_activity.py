"""SQLite only (not a conformance test of every store): the activity triggers on paths the port
does not offer yet: an identifier moved to another profile (a split) or deleted (an erasure),
and databases of older layouts (before the activity tables, the rowid profile table, the
standard attribute count, the quarantine's log position, the review item's constraint),
brought up to date when opened."""

from __future__ import annotations

from pathlib import Path

from datora_graph.domain.cannot_links import cannot_link_reason, held_by_constraint
from datora_graph.domain.changeset import Changeset
from datora_graph.domain.profiles import ReviewFilter
from datora_graph.store.sqlite import SqliteStore

from .builders import T0, seed
from .segment_world import consent, day, members, purchase

ANN = ("email:ann@acme.io", "cookie_id:c-1")


def _ann_with_events(store: SqliteStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)
    store.commit(
        Changeset(
            events=[
                purchase("e1", ("email:ann@acme.io",), day(1), 10),
                purchase("e2", ("cookie_id:c-1",), day(9), 5),
            ]
        )
    )


def test_an_identifier_split_off_takes_its_activity_along(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "split.db")
    _ann_with_events(store)

    with store._transaction() as db:
        db.execute(
            "INSERT INTO profiles SELECT 'prf_split', 1, '{}', 9, created_at, updated_at, 0, "
            "'{}', '{}', 0 FROM profiles WHERE id = 'prf_ann'"
        )
        db.execute("UPDATE identifiers SET profile_id = 'prf_split' WHERE key = 'cookie_id:c-1'")
    facts = store.trait_facts(["prf_ann", "prf_split"])

    ann, split = facts["prf_ann"].activity, facts["prf_split"].activity
    assert ann is not None
    assert split is not None
    assert (ann.orders, ann.revenue_cents, ann.last_at) == (1, 1000, day(1))
    assert (split.orders, split.revenue_cents, split.first_at) == (1, 500, day(9))
    store.close()


def test_an_erased_identifier_takes_its_activity_along(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "erase.db")
    _ann_with_events(store)

    with store._transaction() as db:
        db.execute("DELETE FROM identifiers WHERE key = 'email:ann@acme.io'")
    activity = store.trait_facts(["prf_ann"])["prf_ann"].activity

    assert activity is not None
    assert (activity.events, activity.revenue_cents, activity.first_at) == (1, 500, day(9))
    with store._transaction() as db:
        db.execute("DELETE FROM identifiers WHERE key = 'cookie_id:c-1'")
    assert store.trait_facts(["prf_ann"])["prf_ann"].activity is None
    store.close()


def test_events_stored_before_the_activity_tables_are_credited_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    _ann_with_events(store)
    with store._transaction() as db:
        for table in ("event_credits", "identifier_activity", "profile_activity"):
            db.execute(f"DROP TABLE {table}")
        db.execute("DELETE FROM meta WHERE key = 'activity_version'")
        # Nor did such a store list its tables (it would name the dropped ones as lost).
        db.execute("DELETE FROM meta WHERE key = 'tables'")
    store.close()

    reopened = SqliteStore(path)
    activity = reopened.trait_facts(["prf_ann"])["prf_ann"].activity

    assert activity is not None
    assert (activity.events, activity.orders, activity.revenue_cents) == (2, 2, 1500)
    assert activity.first_at == day(1)
    assert activity.first_at > T0
    reopened.close()


def test_activity_tables_of_an_older_layout_are_rebuilt_from_the_events(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    store = SqliteStore(path)
    _ann_with_events(store)
    with store._transaction() as db:
        db.execute("UPDATE meta SET value = 'older' WHERE key = 'activity_version'")
        db.execute("UPDATE profile_activity SET events = 999")
    store.close()

    reopened = SqliteStore(path)
    activity = reopened.trait_facts(["prf_ann"])["prf_ann"].activity

    assert activity is not None
    assert (activity.events, activity.orders, activity.revenue_cents) == (2, 2, 1500)
    reopened.close()


def test_consent_recorded_before_consent_named_profiles_gets_them_on_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "consent.db"
    store = SqliteStore(path)
    _ann_with_events(store)
    store.record_consent([consent("email:ann@acme.io", "email_marketing", "granted", day(1))])
    with store._transaction() as db:
        db.execute("DROP INDEX consent_by_purpose")
        db.execute("ALTER TABLE consent DROP COLUMN profile_id")
    store.close()

    reopened = SqliteStore(path)

    assert members(reopened, {"consent": "email_marketing"}) == {"prf_ann"}
    reopened.close()


_OLD_PROFILE_COLUMNS = (
    "id, size, type_counts, created_seq, created_at, updated_at, junk, attributes, candidates"
)


def _layout(store: SqliteStore) -> tuple[str, set[str], set[str], str]:
    """The profiles table's SQL, its columns, every schema object's name, and the SQL of the
    index segments read."""
    with store._read() as db:
        table = db.execute("SELECT sql FROM sqlite_schema WHERE name = 'profiles'").fetchone()[0]
        columns = {row[0] for row in db.execute("SELECT name FROM pragma_table_xinfo('profiles')")}
        objects = {row[0] for row in db.execute("SELECT name FROM sqlite_schema")}
        index = db.execute(
            "SELECT sql FROM sqlite_schema WHERE name = 'profiles_for_segments'"
        ).fetchone()[0]
    return table, columns, objects, index


def test_profiles_kept_without_rowid_move_to_a_rowid_table_on_open(tmp_path: Path) -> None:
    path = tmp_path / "without_rowid.db"
    store = SqliteStore(path)
    _ann_with_events(store)
    before = store.get_profiles(["prf_ann"])["prf_ann"]
    with store._transaction() as db:
        db.execute("DROP TRIGGER profiles_activity_delete")
        db.execute("DROP INDEX profiles_for_segments")
        db.execute("ALTER TABLE profiles RENAME TO profiles_old")
        db.execute(
            "CREATE TABLE profiles (id TEXT PRIMARY KEY, size INTEGER NOT NULL, "
            "type_counts TEXT NOT NULL, created_seq INTEGER NOT NULL, created_at TEXT NOT NULL, "
            "updated_at TEXT NOT NULL, junk INTEGER NOT NULL, attributes TEXT NOT NULL, "
            "candidates TEXT NOT NULL) WITHOUT ROWID"
        )
        db.execute(f"INSERT INTO profiles SELECT {_OLD_PROFILE_COLUMNS} FROM profiles_old")
        db.execute("DROP TABLE profiles_old")
    store.close()

    reopened = SqliteStore(path)
    layout, columns, objects, index = _layout(reopened)

    assert "WITHOUT ROWID" not in layout.upper()
    assert "standard_attributes" in columns
    assert "standard_attributes" in index
    assert {"profiles_activity_delete", "profiles_for_segments"} <= objects
    assert reopened.get_profiles(["prf_ann"])["prf_ann"] == before
    assert reopened.trait_facts(["prf_ann"])["prf_ann"].activity is not None
    reopened.close()


def test_profiles_without_the_standard_attribute_count_get_it_on_open(tmp_path: Path) -> None:
    path = tmp_path / "no_count.db"
    store = SqliteStore(path)
    seed(store, "prf_full", ANN, seq=1, attributes={"first_name": "Ann", "city": "Leeds"})
    with store._transaction() as db:
        db.execute("DROP INDEX profiles_for_segments")
        db.execute("ALTER TABLE profiles DROP COLUMN standard_attributes")
    store.close()

    reopened = SqliteStore(path)
    _, columns, _, index = _layout(reopened)
    with reopened._read() as db:
        counted = db.execute("SELECT standard_attributes FROM profiles").fetchone()[0]

    assert "standard_attributes" in columns
    assert "standard_attributes" in index
    assert counted == 2
    reopened.close()


def test_guard_states_kept_before_quarantine_positions_get_the_column_on_open(
    tmp_path: Path,
) -> None:
    """Read as quarantined before every record (0), as those stores always were."""
    path = tmp_path / "no_position.db"
    store = SqliteStore(path)
    with store._transaction() as db:
        db.execute("ALTER TABLE identifier_guards DROP COLUMN quarantined_seq")
        db.execute("ALTER TABLE identifier_guards DROP COLUMN join_seqs")
        db.execute(
            "INSERT INTO identifier_guards (key, joins, quarantined, reason) "
            "VALUES ('email:family@acme.io', 2, 1, 'shared')"
        )
    store.close()

    reopened = SqliteStore(path)
    guard = reopened.load_snapshot(["email:family@acme.io"]).identifier_guards
    reopened.close()

    assert guard["email:family@acme.io"].quarantined
    assert guard["email:family@acme.io"].quarantined_seq == 0
    assert guard["email:family@acme.io"].join_seqs == ()


def test_review_items_kept_before_constraint_ids_get_the_column_on_open(tmp_path: Path) -> None:
    """Read as naming no constraint: the erasure reads those items' reason instead."""
    path = tmp_path / "no_constraint_id.db"
    store = SqliteStore(path)
    with store._transaction() as db:
        db.execute("ALTER TABLE review_items DROP COLUMN constraint_id")
        db.execute(
            "INSERT INTO review_items (id, kind, a, b, profile_a, profile_b, reason, "
            "observation_id, created_at, guard) VALUES (1, 'held_link', 'email:a@x.io', "
            "'email:b@x.io', 'p1', 'p2', ?, 'o1', ?, 'cannot_link')",
            (cannot_link_reason(7), T0.isoformat()),
        )
    store.close()

    reopened = SqliteStore(path)
    [item] = reopened.list_review_items(ReviewFilter()).items
    reopened.close()

    assert item.constraint_id is None
    assert held_by_constraint(item) == 7
