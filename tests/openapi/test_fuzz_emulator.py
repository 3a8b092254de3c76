"""Property-based requests from the OpenAPI document, sent over HTTP to the emulator (Schemathesis).

For each sampled operation, Schemathesis generates bodies from the request schema; each goes
to the emulator at its webhook path, and the reply must be no server error (5xx), have a
documented status and content type, and match the documented schema for that status (the
result inside the envelope, or the error envelope).

The default run is small and bounded (a few methods, a few examples each, seconds).
`B24_FUZZ_METHODS=all` (or a number: every n-th method) and `B24_FUZZ_EXAMPLES=N` widen it.
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the dev extra installs schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from codegen.openapi_check import sample  # noqa: E402

from .conftest import path_of  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
TOKEN = "fuzz-webhook-token"
DEFAULT_METHODS = [
    "crm.deal.list",
    "crm.item.list",
    "sale.paysystem.pay.invoice",
    "sale.paysystem.handler.list",
    "humanresources.node.list@v3",
]


def _methods(document: dict[str, Any]) -> list[str]:
    wanted = os.environ.get("B24_FUZZ_METHODS", "")
    if not wanted:
        return DEFAULT_METHODS
    every = sorted(
        f"{op['x-b24-method']}{'@v3' if op['x-b24-api-version'] == 3 else ''}"
        for op in (item["post"] for item in document["paths"].values())
    )
    return every if wanted == "all" else every[:: int(wanted)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "fuzzed_method" in metafunc.fixturenames:
        import json

        from .conftest import DOCUMENT

        metafunc.parametrize("fuzzed_method", _methods(json.loads(DOCUMENT.read_text(encoding="utf-8"))))


def fuzz(document: dict[str, Any], method: str, portal: Any, examples: int) -> tuple[list[str], Counter[int]]:
    """Send `examples` generated requests for one method; the failing ones, and every status seen."""
    schema = schemathesis.openapi.from_dict(sample(document, [path_of(document, method)]))
    (operation,) = [result.ok() for result in schema.get_all_operations()]
    statuses: Counter[int] = Counter()
    failures: list[str] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def send(case: Any) -> None:
        case.path_parameters = {"user_id": portal.config.webhook_user_id, "webhook_token": TOKEN}
        response = case.call(base_url=portal.base_url)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except BaseException as exc:  # a FailureGroup: keep it, and the body that caused it
            failures.append(f"{case.body!r} -> {response.status_code} {response.text[:300]}\n{exc}")

    send()
    return failures, statuses


def test_generated_requests_get_documented_replies(document, b24_emulator_factory, fuzzed_method):
    portal = b24_emulator_factory(deals=25, webhook_token=TOKEN)
    failures, statuses = fuzz(document, fuzzed_method, portal, int(os.environ.get("B24_FUZZ_EXAMPLES", "10")))
    assert failures == [], f"{fuzzed_method}: {len(failures)} failing request(s); first:\n{failures[0]}"
    assert 401 not in statuses, "the webhook path did not authenticate"
    assert sum(statuses.values()) > 0


def test_a_reply_that_breaks_the_document_is_caught(document, b24_emulator_factory):
    portal = b24_emulator_factory(deals=5, webhook_token=TOKEN)
    broken = copy.deepcopy(sample(document, [path_of(document, "crm.deal.list")]))
    operation = next(iter(broken["paths"].values()))["post"]
    operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["result"] = {"type": "string"}
    failures, statuses = fuzz(broken, "crm.deal.list", portal, 3)
    assert statuses[200] and len(failures) == statuses[200]
