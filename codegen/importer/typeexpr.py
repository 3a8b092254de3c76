"""Turn the type the docs write under a parameter name into a spec type expression.

The docs write types in backticks, usually as links: `` [`string`](…) ``, unions as
`` `string`\\|`object` `` or `` `string|null` ``, arrays as `` `integer[]` `` or
`` `array<object>` ``, domain ids as `` `sale_paysystem.ID` ``. The spec wants one
expression matching the format's `typeExpr` pattern (`integer[]|string`); anything that
cannot be read that way becomes `any`, and the caller counts it.
"""

from __future__ import annotations

import re

TYPE_EXPR = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*(\[\])*(\|[A-Za-z_][A-Za-z0-9_.]*(\[\])*)*$")
_TERM = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*(\[\])*$")
_BACKTICKED = re.compile(r"`([^`]+)`")
_GENERIC_ARRAY = re.compile(r"^(?:array|list)\s*<\s*([A-Za-z_][A-Za-z0-9_.]*)\s*>$", re.IGNORECASE)
_ARRAY_OF = re.compile(r"^(?:array|list)\s+of\s+([A-Za-z_][A-Za-z0-9_.]*?)s?$", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:\\?\||,|\bor\b)\s*")

# Spellings of the validator's primitive kinds the docs also use.
ALIASES = {
    "int": "integer",
    "Integer": "integer",
    "INT": "integer",
    "Int": "integer",
    "bool": "boolean",
    "Boolean": "boolean",
    "bool?": "boolean",
    "float": "double",
    "Float": "double",
    "Double": "double",
    "str": "string",
    "String": "string",
    "Object": "object",
    "Array": "array",
    "undefined": "null",
    "NULL": "null",
    "Null": "null",
    "Y/N": "char",
    "mixed": "any",
}


def _term(raw: str) -> str | None:
    text = raw.strip().strip("\\").strip()
    if not text:
        return None
    text = ALIASES.get(text, text)
    generic = _GENERIC_ARRAY.match(text) or _ARRAY_OF.match(text)
    if generic:
        text = ALIASES.get(generic.group(1), generic.group(1)) + "[]"
    elif text.startswith("[") and text.endswith("]") and _TERM.match(text[1:-1]):
        text = text[1:-1] + "[]"
    return text if _TERM.match(text) else None


def normalize(cell_tail: str) -> tuple[str, bool]:
    """(type expression, understood) for the part of a name cell after the name.

    `understood` is False when nothing usable was found (the result is then `any`).
    """
    chunks = _BACKTICKED.findall(cell_tail)
    if not chunks:
        return "any", False
    terms: list[str] = []
    ok = True
    for chunk in chunks:
        for piece in _SPLIT.split(chunk.replace("\\|", "|")):
            if piece.strip() in ("", "|"):
                continue
            term = _term(piece)
            if term is None:
                ok = False
                continue
            if term not in terms:
                terms.append(term)
    if not terms:
        return "any", False
    expression = "|".join(terms)
    return (expression, ok) if TYPE_EXPR.match(expression) else ("any", False)


def base_names(expression: str) -> list[str]:
    """Registry names an expression uses (`crm_contact[]|string` → crm_contact, string)."""
    return [term.rstrip("[]") for term in expression.split("|")]


def guessed_base(name: str) -> str:
    """Base kind for a type name the registry lacks: ids are integers, other dotted keys strings."""
    if "." in name:
        return "integer" if name.rsplit(".", 1)[1].lower() == "id" else "string"
    return "object"
