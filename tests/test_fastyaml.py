"""The fast YAML writer must never change what a file means."""
from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.output.fastyaml import dump

scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40))
keys = st.text(min_size=1, max_size=20)
data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(keys, data, max_size=6))
def test_random_documents_round_trip(doc):
    assert yaml.safe_load(dump(doc)) == doc


def test_every_rendered_object_round_trips(all_objects):
    for env, rel, obj in all_objects:
        assert yaml.safe_load(dump(obj)) == obj, f"{env}/{rel}"


def test_multiline_strings_are_literal_blocks():
    text = dump({"data": {"fluent-bit.conf": "[SERVICE]\n    Flush 5\n"}})
    assert "fluent-bit.conf: |\n    [SERVICE]\n        Flush 5\n" in text
    assert yaml.safe_load(text)["data"]["fluent-bit.conf"] == "[SERVICE]\n    Flush 5\n"


def test_scalars_that_look_like_other_types_stay_strings():
    doc = {"a": "true", "b": "0755", "c": "1.0", "d": "", "e": "null", "f": "- x", "g": "25%", "h": "*"}
    assert yaml.safe_load(dump(doc)) == doc
