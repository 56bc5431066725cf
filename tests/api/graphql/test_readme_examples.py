"""The README's GraphQL examples, run as a client would: introspect the schema, check each
example against it, then run them in the README's order and check the answers (and that they
agree with REST)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from graphql import build_client_schema, get_introspection_query, parse, validate

from .conftest import GraphQLClient

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_examples() -> dict[str, str]:
    """Every ```graphql block of the README's GraphQL section, by operation name, in order."""
    text = README.read_text()
    section = text[text.index("\n## GraphQL\n") :]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```graphql\n(.*?)```", section, flags=re.DOTALL)
    examples: dict[str, str] = {}
    for block in blocks:
        name = re.match(r"\s*(?:query|mutation)\s+(\w+)", block)
        assert name, f"a README example has no operation name:\n{block}"
        examples[name.group(1)] = block
    return examples


def test_the_readme_examples_are_valid_against_the_introspected_schema(
    graphql: GraphQLClient,
) -> None:
    schema = build_client_schema(graphql.data(get_introspection_query()))  # type: ignore[arg-type]

    examples = readme_examples()

    assert list(examples) == [
        "IngestAnn",
        "AnnWithJourney",
        "AnnPurchases",
        "ProfileById",
        "ReviewQueue",
        "ConsentAndSegment",
        "SegmentsAndMembers",
        "AnnTraits",
        "Report",
    ]
    for name, document in examples.items():
        assert validate(schema, parse(document)) == [], name


def test_every_graphql_block_of_the_readme_is_a_valid_document(graphql: GraphQLClient) -> None:
    """The steward, audit and erasure sections' examples too, which run on a reader's own
    profiles: each must at least be a document the server accepts as written."""
    schema = build_client_schema(graphql.data(get_introspection_query()))  # type: ignore[arg-type]
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(), flags=re.DOTALL)

    assert len(blocks) > len(readme_examples())
    for block in blocks:
        assert validate(schema, parse(block)) == [], block


def test_the_readme_examples_give_the_answers_the_readme_describes(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    examples = readme_examples()

    ingested = graphql.data(examples["IngestAnn"])
    ann = graphql.data(examples["AnnWithJourney"])["profileByIdentifier"]
    purchases = graphql.data(examples["AnnPurchases"])["profileByIdentifier"]["journey"]
    by_alias = graphql.data(examples["ProfileById"], id=ann["aliases"][0])["profile"]
    queue = graphql.data(examples["ReviewQueue"])["reviewQueue"]
    consent_and_segment = graphql.data(examples["ConsentAndSegment"])
    segments = graphql.data(examples["SegmentsAndMembers"])
    traits = graphql.data(examples["AnnTraits"])["profileByIdentifier"]
    insights = graphql.data(examples["Report"])["insights"]

    report = ingested["ingestObservations"]
    assert (report["accepted"], report["duplicates"], report["rejected"]) == (4, 0, 1)
    assert report["results"][4]["field"] == "identifiers[0].value"
    assert ingested["ingestEvents"] == {"accepted": 2}

    assert ann["attributes"] == {"first_name": "Ann", "last_name": "Lee", "city": "Leeds"}
    assert sorted(i["value"] for i in ann["identifiers"]) == [
        "C-42",
        "ann.lee@acme-mail.com",
        "ck-77",
    ]
    assert [e["node"]["id"] for e in ann["journey"]["edges"]] == ["ev-1", "ev-2"]
    assert ann["journey"]["pageInfo"] == {
        "endCursor": ann["journey"]["edges"][-1]["cursor"],
        "hasNextPage": False,
    }
    rest = client.get("/v1/profiles", params={"identifier": "crm_id:C-42"}).json()
    assert (rest["id"], rest["aliases"]) == (ann["id"], ann["aliases"])
    rest_journey = client.get(f"/v1/profiles/{ann['id']}/journey").json()
    assert [e["id"] for e in rest_journey["events"]] == ["ev-1", "ev-2"]

    assert [e["node"] for e in purchases["edges"]] == [
        {"id": "ev-2", "occurredAt": "2026-05-01T10:05:00Z", "properties": {"revenue": 42.5}}
    ]

    assert by_alias["id"] == ann["id"]
    assert by_alias["identifiers"] == [{"value": "ann.lee@acme-mail.com", "junk": False}]
    [merge] = by_alias["mergeHistory"]
    assert (merge["absorbed"], merge["survivor"], merge["observationId"]) == (
        ann["aliases"][0],
        ann["id"],
        "web-8",
    )

    [item] = [edge["node"] for edge in queue["edges"]]
    assert item["kind"] == "held_link"
    assert {item["profileA"]["id"], item["profileB"]["id"]} == {
        ann["id"],
        client.get("/v1/profiles", params={"identifier": "crm_id:C-43"}).json()["id"],
    }

    segment = consent_and_segment["defineSegment"]
    assert consent_and_segment["recordConsent"] == {"recorded": 1}
    assert (segment["name"], segment["purpose"], segment["size"]) == (
        "Buyers to email",
        "email_marketing",
        1,
    )
    export = client.get(f"/v1/segments/{segment['id']}/export", params={"identifier": "email"})
    assert export.text.splitlines() == [
        "profile_id,type,value",
        f"{ann['id']},email,ann.lee@acme-mail.com",
    ]

    assert segments["previewSegment"]["size"] == 1
    [listed] = segments["segments"]
    assert (listed["id"], listed["size"]) == (segment["id"], 1)
    [member] = [edge["node"] for edge in listed["members"]["edges"]]
    assert member == {
        "id": ann["id"],
        "identifiers": [{"value": "ann.lee@acme-mail.com"}],
        "traits": {"orderCount": 1, "totalRevenue": 42.5},
    }
    assert [e["node"]["id"] for e in segments["profiles"]["edges"]] == [ann["id"]]

    assert traits["traits"]["eventCount"] == 2
    assert traits["traits"]["averageOrderValue"] == 42.5
    assert traits["segments"] == [{"name": "Buyers to email"}]
    assert [(c["identifier"]["value"], c["status"]) for c in traits["consent"]] == [
        ("ann.lee@acme-mail.com", "GRANTED")
    ]

    stats = client.get("/v1/stats").json()
    assert insights["counts"]["profiles"] == stats["profiles"]
    assert insights["counts"]["openReviewItems"] == stats["open_review_items"] == 1
    assert insights["segments"] == [{"name": "Buyers to email", "size": 1, "share": 0.5}]
    assert insights["revenue"]["total"] == 42.5
