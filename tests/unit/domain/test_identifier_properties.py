"""What the rest of the service assumes of a normaliser, for any input: a normalised value
normalises to itself (a rebuild, an export sent back, or a value a steward types in names the
same identifier), and the parse caches never change an answer (the phone cache keys numbers
by their digits)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry, ParsedIdentifier

REGIONS = st.sampled_from(["US", "GB", "DE", "IN", "BR"])
PHONES = st.text(alphabet="0123456789+ -().xet#", min_size=1, max_size=22)
EMAILS = st.builds(
    "{}{}@{}.{}".format,
    st.sampled_from(["", " ", "mailto:", "MailTo:", "mailto:mailto:", "mailto: "]),
    st.text(alphabet="abAB.+_-'0 :", min_size=1, max_size=8),
    st.text(alphabet="abAB-.0", min_size=1, max_size=8),
    st.text(alphabet="aio", min_size=1, max_size=4),
) | st.text(max_size=15)
VALUES = st.one_of(
    st.tuples(st.just("phone"), PHONES),
    st.tuples(st.just("email"), EMAILS),
    st.tuples(st.sampled_from(["device_id", "cookie_id", "crm_id", "user_id"]), st.text()),
)


def _parsed(registry: IdentifierRegistry, type_name: str, raw: str) -> ParsedIdentifier | str:
    try:
        return registry.parse_with_junk(type_name, raw)
    except InvalidInput as refused:
        return refused.reason


@settings(max_examples=400)
@given(value=VALUES, region=REGIONS)
def test_a_normalised_value_normalises_to_itself(value: tuple[str, str], region: str) -> None:
    type_name, raw = value
    first = _parsed(IdentifierRegistry.default(region), type_name, raw)
    if isinstance(first, str):
        return

    again = _parsed(IdentifierRegistry.default(region), type_name, first.identifier.value)

    assert again == first


PUNCTUATION = st.lists(st.sampled_from(["", " ", "-", ".", "(", ")"]), min_size=1, max_size=8)


@settings(max_examples=300)
@given(
    digits=st.text(alphabet="0123456789", min_size=3, max_size=15),
    one=PUNCTUATION,
    other=PUNCTUATION,
    plus=st.booleans(),
    region=REGIONS,
)
def test_the_phone_cache_answers_as_a_first_parse_does(
    digits: str, one: list[str], other: list[str], plus: bool, region: str
) -> None:
    def written(marks: list[str]) -> str:
        body = "".join(d + marks[i % len(marks)] for i, d in enumerate(digits))
        return "+" + body if plus else body

    shared = IdentifierRegistry.default(region)
    _parsed(shared, "phone", written(one))

    assert _parsed(shared, "phone", written(other)) == _parsed(
        IdentifierRegistry.default(region), "phone", written(other)
    )
