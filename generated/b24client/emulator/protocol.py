"""Wire format of the Bitrix24 REST API: URL forms, parameter decoding, the `time` block.

Kept apart from the HTTP server and from method logic because three callers need the
same rules: the server (parsing requests), `batch` (parsing each `method?query` command)
and tests (building bodies the way PHP clients do). The rules follow
settings/how-to-call-rest-api/ in the docs: PHP-style nested keys, JSON bodies, the
query string merged with the body, and an optional `.json` suffix on the method name.
"""

from __future__ import annotations

import datetime as _dt
import email.parser
import email.policy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, unquote

from b24client.runtime import phpquery
from b24client.runtime.encoding import MAX_DEPTH

AuthKind = Literal["webhook", "oauth"]

_METHOD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")


@dataclass(frozen=True)
class RestTarget:
    """What a REST URL names: the method, the API version and how the caller authenticates."""

    method: str
    api_version: int  # 2 for /rest/..., 3 for /rest/api/...
    auth_kind: AuthKind
    user_id: int | None = None
    token: str | None = None  # the webhook code; never logged

    @property
    def method_id(self) -> str:
        return f"{self.method}@v3" if self.api_version == 3 else self.method


def _strip_format(name: str) -> str | None:
    """Drop the `.json` suffix; refuse names that cannot be REST methods."""
    if name.endswith(".json"):
        name = name[: -len(".json")]
    return name if _METHOD_NAME.match(name) else None


def parse_rest_path(path: str) -> RestTarget | None:
    """Map a URL path onto a REST target, or None when it is not a REST URL.

    Webhook: /rest/<user_id>/<code>/<method>; OAuth: /rest/<method> with `auth` in the
    parameters. REST v3 puts `api/` after `/rest/`.
    """
    if not path.startswith("/rest/"):
        return None
    parts = [unquote(part) for part in path[len("/rest/") :].split("/")]
    if parts and parts[-1] == "":
        parts.pop()  # tolerate a trailing slash
    version = 2
    if parts and parts[0] == "api" and len(parts) >= 2:
        version, parts = 3, parts[1:]
    if len(parts) == 1:
        method = _strip_format(parts[0])
        return RestTarget(method, version, "oauth") if method else None
    if len(parts) == 3 and parts[0].isdigit() and parts[1]:
        method = _strip_format(parts[2])
        if method:
            return RestTarget(method, version, "webhook", int(parts[0]), parts[1])
    return None


# --- PHP-style nested parameters ----------------------------------------------------------


def decode_php_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Build nested parameters from `key[a][b]=v` pairs the way PHP fills $_REQUEST
    (one home for the rules: b24client.runtime.phpquery, which apps use for inbound bodies)."""
    try:
        return phpquery.decode_pairs(pairs, max_depth=MAX_DEPTH)
    except phpquery.PhpQueryError as exc:
        raise BodyError(str(exc)) from None


def decode_query(query: str) -> dict[str, Any]:
    """Decode an URL query string (or a form-encoded body) with PHP nesting rules."""
    return decode_php_pairs(parse_qsl(query, keep_blank_values=True))


def encode_php_pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten nested parameters into `key[a][b]` pairs, like PHP's http_build_query: None
    and empty containers are left out, as PHP leaves them out (one home for the rules:
    b24client.runtime.phpquery, which encodes the client's batch commands)."""
    return phpquery.pairs(params)


def encode_php_query(params: Mapping[str, Any]) -> str:
    """`{"filter": {">ID": 5}}` → `filter%5B%3EID%5D=5` (the brackets encoded as PHP does)."""
    return "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in encode_php_pairs(params))


# --- request bodies -------------------------------------------------------------------------


class BodyError(ValueError):
    """The request body cannot be decoded in the format its Content-Type names."""


def _media_type(content_type: str) -> tuple[str, dict[str, str]]:
    main, _, rest = content_type.partition(";")
    options: dict[str, str] = {}
    for item in rest.split(";"):
        key, sep, value = item.strip().partition("=")
        if sep:
            options[key.lower()] = value.strip().strip('"')
    return main.strip().lower(), options


def _decode_multipart(body: bytes, content_type: str) -> list[tuple[str, str]]:
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise BodyError("multipart body without parts")
    pairs: list[tuple[str, str]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        pairs.append((name, data.decode("utf-8", errors="replace")))
    return pairs


def decode_body(body: bytes, content_type: str) -> dict[str, Any]:
    """Parameters carried by a request body: JSON, form-encoded or multipart."""
    if not body.strip():
        return {}
    media, _options = _media_type(content_type)
    if media == "application/json" or (not media and body.lstrip()[:1] in (b"{", b"[")):
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BodyError(f"invalid JSON body: {exc}") from exc
        except RecursionError:
            raise BodyError(f"the JSON body is nested deeper than {MAX_DEPTH} levels") from None
        if isinstance(data, list):
            return {str(index): item for index, item in enumerate(data)}
        if not isinstance(data, dict):
            raise BodyError("the JSON body must be an object")
        return data
    if media == "multipart/form-data":
        return decode_php_pairs(_decode_multipart(body, content_type))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(f"form body is not UTF-8: {exc}") from exc
    return decode_query(text)


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether `data` nests deeper than `limit`, found without recursion (the point is that
    recursion is what such a body breaks: the log's deep copy of it overflowed the stack)."""
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth >= limit:
                return True
            pending += [(item, depth + 1) for item in (value.values() if isinstance(value, dict) else value)]
    return False


def decode_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Query and body parameters together (the body wins), refused as a BodyError when they
    nest deeper than MAX_DEPTH levels. PHP's own decoder stops at 512; the client never
    sends more than MAX_DEPTH, so the lower bound costs no real call."""
    params = {**decode_query(query), **decode_body(body, content_type)}
    if _depth_exceeds(params, MAX_DEPTH):
        raise BodyError(f"parameters are nested deeper than {MAX_DEPTH} levels")
    return params


# --- the time block -------------------------------------------------------------------------


def _iso(timestamp: float) -> str:
    return _dt.datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def time_block(
    start: float,
    finish: float,
    processing: float,
    operating: float | None = None,
    operating_reset_at: float | None = None,
) -> dict[str, Any]:
    """The `time` member every response carries (api-reference/data-types.md#time)."""
    block: dict[str, Any] = {
        "start": round(start, 6),
        "finish": round(finish, 6),
        "duration": round(finish - start, 6),
        "processing": round(processing, 6),
        "date_start": _iso(start),
        "date_finish": _iso(finish),
    }
    if operating is not None:
        block["operating"] = round(operating, 6)
    if operating_reset_at is not None:
        block["operating_reset_at"] = operating_reset_at
    return block


def php_array(mapping: Mapping[str, Any]) -> Any:
    """JSON shape PHP gives an array: `[]` when empty, a list when keyed 0..n-1, else an object."""
    keys = list(mapping)
    if not keys:
        return []
    if keys == [str(index) for index in range(len(keys))]:
        return list(mapping.values())
    return dict(mapping)
