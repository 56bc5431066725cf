"""The verification of a migration allowed to reject records (`--allow-rejections`): the
profiles the rejected records explain are counted and shown apart, and every other difference
is still reported, naming the profile and why it is not explained."""

from __future__ import annotations

from pathlib import Path

from datora_graph.migrate import Migration
from datora_graph.migrate_verify import DIFFERENCES_SHOWN
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite import SqliteStore

from .loyalty import obs, settings


def ann_and_bob(store: GraphStore, tmp_path: Path) -> None:
    """Ann's first record carries CRM A and a loyalty number (a type only these settings
    know), so the CRM limit held CRM B apart from her; Bob's record is plain."""
    IdentityService(store, settings(tmp_path, loyalty=True)).ingest_observations(
        [
            obs("o1", "email:ann@acme.io", "crm_id:A", "loyalty_id:L-1"),
            obs("o2", "email:ann@acme.io"),
            obs("o3", "email:ann@acme.io", "crm_id:B"),
            obs("o4", "email:bob@acme.io"),
        ]
    )


def test_a_difference_no_rejected_record_explains_is_reported(
    store: GraphStore, tmp_path: Path
) -> None:
    """The target held Bob's email with a phone already: his profile there is another, which
    no rejected record has to do with. It used to pass as one more effect of the rejections."""
    source = SqliteStore(tmp_path / "source.db")
    plain = settings(tmp_path, loyalty=False)
    try:
        ann_and_bob(source, tmp_path)
        IdentityService(store, plain).ingest_observations(
            [obs("t1", "email:bob@acme.io", "phone:+14155550101")]
        )
        bob = source.profile_ids_for_identifiers(["email:bob@acme.io"])["email:bob@acme.io"]
        theirs = store.profile_ids_for_identifiers(["email:bob@acme.io"])["email:bob@acme.io"]

        report = Migration(source, store, plain).run(allow_rejections=True, into_nonempty=True)

        check = report.verification
        assert report.rejected_on_replay == 1
        assert (check.missing, check.explained, check.unexplained) == (3, 2, 1)
        assert check.examples == [
            f"{bob} (email:bob@acme.io) is not in the target: no record rejected on replay was "
            "in it or in a profile it shares identifiers with; in the target email:bob@acme.io "
            f"is in {theirs}"
        ]
    finally:
        source.close()


def test_the_rejected_records_explain_their_profiles_and_those_a_guard_kept_apart(
    store: GraphStore, tmp_path: Path
) -> None:
    """Without o1, CRM A is not in Ann's profile, so CRM B joins it: the profile CRM B had
    alone is gone from the target because of o1 too."""
    source = SqliteStore(tmp_path / "source.db")
    try:
        ann_and_bob(source, tmp_path)
        ids = source.profile_ids_for_identifiers(["email:ann@acme.io", "crm_id:B"])

        report = Migration(source, store, settings(tmp_path, loyalty=False)).run(
            allow_rejections=True
        )

        check = report.verification
        assert (check.missing, check.explained, check.unexplained) == (2, 2, 0)
        assert check.examples == []
        [ann, crm_b] = sorted(check.explained_examples, key=lambda t: t.startswith(ids["crm_id:B"]))
        assert ann.startswith(f"{ids['email:ann@acme.io']} (crm_id:A, email:ann@acme.io, ")
        assert ann.endswith("of o1, rejected on replay")
        now = store.profile_ids_for_identifiers(["crm_id:B"])["crm_id:B"]
        assert crm_b == (
            f"{ids['crm_id:B']} (crm_id:B) is not in the target: identifiers moved to or from "
            f"{now}, which holds email:ann@acme.io of o1, rejected on replay"
        )
    finally:
        source.close()


def test_explained_differences_do_not_crowd_out_the_others(
    store: GraphStore, tmp_path: Path
) -> None:
    source = SqliteStore(tmp_path / "source.db")
    plain = settings(tmp_path, loyalty=False)
    try:
        many = DIFFERENCES_SHOWN + 5
        IdentityService(source, settings(tmp_path, loyalty=True)).ingest_observations(
            [obs(f"l{n}", f"loyalty_id:L-{n}", f"email:m{n}@acme.io") for n in range(many)]
            + [obs("o-bob", "email:bob@acme.io")]
        )
        IdentityService(store, plain).ingest_observations([obs("t1", "email:bob@acme.io")])

        check = Migration(source, store, plain).run(allow_rejections=True, into_nonempty=True)

        assert (check.verification.explained, check.verification.unexplained) == (many, 1)
        assert len(check.verification.explained_examples) == DIFFERENCES_SHOWN
        [bob] = check.verification.examples
        assert "(email:bob@acme.io) is not in the target: no record rejected" in bob
    finally:
        source.close()


def test_a_migration_without_rejections_reports_differences_as_before(
    store: GraphStore, tmp_path: Path
) -> None:
    source = SqliteStore(tmp_path / "source.db")
    try:
        IdentityService(source, settings(tmp_path, loyalty=False)).ingest_observations(
            [obs("o-bob", "email:bob@acme.io")]
        )
        IdentityService(store, settings(tmp_path, loyalty=False)).ingest_observations(
            [obs("t1", "email:bob@acme.io")]
        )

        check = Migration(source, store, settings(tmp_path, loyalty=False)).run(into_nonempty=True)

        assert (check.verification.missing, check.verification.unexplained) == (1, 1)
        assert check.verification.examples[0].endswith("(email:bob@acme.io) is not in the target")
    finally:
        source.close()
