"""The committed OpenAPI document, read once per session (10 MB of JSON: a fraction of a second)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codegen.openapi import DOCUMENT_PATH

DOCUMENT = Path(__file__).resolve().parents[2] / DOCUMENT_PATH


@pytest.fixture(scope="session")
def document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


def path_of(document: dict[str, Any], method_id: str) -> str:
    method, _, version = method_id.partition("@")
    for path, item in document["paths"].items():
        operation = item["post"]
        if operation["x-b24-method"] == method and operation["x-b24-api-version"] == (3 if version else 2):
            return path
    raise KeyError(method_id)
