"""The emulator's PHP forms are the runtime's: one encoder, and None left out as PHP leaves it.

PHP's http_build_query drops null values (`['a' => null, 'b' => [null, 1]]` gives
`b%5B1%5D=1`), so a real portal's events and a client's batch commands never carry them.
The emulator once wrote None as an empty value, so its forms decoded to `{"a": ""}` where a
batch command of the client decoded to nothing: the two sides disagreed on the same input.
"""

from __future__ import annotations

from typing import Any

from b24client.emulator.delivery import php_form
from b24client.emulator.protocol import decode_query, encode_php_query
from b24client.runtime import phpquery

WITH_NONES: dict[str, Any] = {"a": None, "b": [None, 1], "c": {"d": None, "e": "x"}, "empty": {}, "blank": ""}
# What PHP's $_POST holds for http_build_query(WITH_NONES): nulls and empty arrays are gone,
# the index of the list's second item stays 1, an empty string is kept.
AS_PHP_READS_IT = {"b": {"1": "1"}, "c": {"e": "x"}, "blank": ""}


def test_none_is_left_out_of_the_emulators_query_and_form_bodies() -> None:
    assert encode_php_query({"a": None, "b": [None, 1]}) == "b%5B1%5D=1"
    assert php_form({"a": None, "b": [None, 1]}) == b"b%5B1%5D=1"


def test_every_encoder_round_trips_to_what_php_reads() -> None:
    for body in (encode_php_query(WITH_NONES), php_form(WITH_NONES).decode(), phpquery.encode(WITH_NONES)):
        assert decode_query(body) == AS_PHP_READS_IT, body
