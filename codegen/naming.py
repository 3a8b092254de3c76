"""Turn wire names (REST methods, parameters, error codes) into Python names.

Every function here is total and deterministic; callers reject a result that is not a
usable identifier, so a bad spec fails in the generator instead of in generated code.
"""

from __future__ import annotations

import keyword

# one home for the names the runtime computes too (the module of a method id)
from b24client.runtime.specs import method_module, snake

__all__ = ["docs_url", "is_identifier", "method_module", "method_pascal", "pascal", "python_name", "snake"]


def python_name(name: str) -> str:
    """snake() plus a trailing underscore for keywords (`from` → `from_`)."""
    result = snake(name)
    if keyword.iskeyword(result) or keyword.issoftkeyword(result):
        result += "_"
    return result


def is_identifier(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


def pascal(name: str) -> str:
    """`ERROR_CHECK_FAILURE` → `ErrorCheckFailure`, `expired_token` → `ExpiredToken`, `crm.item` → `CrmItem`."""
    return "".join(part[:1].upper() + part[1:] for part in snake(name).split("_") if part)


def method_pascal(method_id: str) -> str:
    """`sale.paysystem.pay.invoice` → `SalePaysystemPayInvoice`; `tasks.task.list@v3` → `TasksTaskListV3`."""
    method, _, version = method_id.partition("@")
    return pascal(method.replace(".", "_")) + version.upper()


def docs_url(docs_path: str) -> str:
    """Public address of a docs page (the site serves `.html` for each `.md`)."""
    return "https://apidocs.bitrix24.com/" + docs_path[: -len(".md")] + ".html"
