"""Value lists in a parameter's description cell, read as the parameter's `enum`.

The docs list allowed values as a bullet list of backticked values under a lead-in
("Possible values:", "Sorting direction:"), one value (or `a` or `b`) per bullet, or
inline ("possible values: `Y`, `N`"). Only the values are taken (never the prose after
them). The reading is conservative, since an enum that misses a value refuses a call
the portal accepts:

- only scalar parameters (string, integer, number, char and arrays of them); a boolean
  already admits exactly Y/N/0/1/true/false, and the lists under objects name members;
- a list under a lead-in that says it is not the closed set (prefixes, examples, "such
  as", "including", a format, a structure) is skipped, and so is a cell with two lists;
- every bullet of the list must be a value, values have no spaces or operators, there
  are at least two, integers are digits, chars are one character;
- a default the cell states must be one of the values;
- asc/desc are taken in both cases, as the portal reads sort directions;
- page.build then drops an enum that a value in one of the page's code examples breaks
  (shapes.drop_contradicted).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_VALUE_BULLET = re.compile(r"^`([^`]+)`((?:\s*(?:,|or|/|\\\|)\s*`[^`]+`)*)\s*(?:$|[—–:=(-]|\s-)")
_MORE_VALUES = re.compile(r"`([^`]+)`")
_NOT_CLOSED = re.compile(
    r"prefix|example|e\.\s?g\.|for instance|such as|\bincluding\b|\bincludes?\b|and others|\betc\b"
    r"|for which (?!to\b)|\bwhere\b|structure|\bformat\b|\bcontains?\b|consist|\bkeys?\b|\blike\b|among|some of"
    r"|can be extended|custom|(?:is|are) returned",
    re.IGNORECASE,
)
_DECLARED = re.compile(r"(?:possible|acceptable|allowed|valid|supported) values?\s*:\s*$", re.IGNORECASE)
_INLINE = re.compile(
    r"(?:possible|allowed|acceptable|valid|available|supported) values(?: are)?\s*:?\s*"
    r"((?:`[^`]+`\s*(?:,|or|and|\\\||/)?\s*){2,})|\bone of(?: the values)?\s*:?\s*((?:`[^`]+`\s*(?:,|or|\\\||/)?\s*){2,})",
    re.IGNORECASE,
)
_DEFAULT = re.compile(r"default(?:s to| value| is|:|\s)*[^`\n.]{0,12}`([^`]+)`", re.IGNORECASE)
_BAD_VALUE = re.compile(r"[\s<>=%*#{}$…'\"]|\.\.\.")
_SCALARS = {
    "string": "string",
    "text": "string",
    "integer": "integer",
    "int": "integer",
    "double": "number",
    "number": "number",
    "float": "number",
    "char": "char",
    "enum": "string",
    "any": "string",
}
_NESTED_TABLE = re.compile(r"#\|.*?\|#", re.DOTALL)
_FENCE = re.compile(r"```.*?```", re.DOTALL)
_SORT_DIRECTIONS = {"asc", "desc"}


def scalar_kind(type_: str) -> str | None:
    """The scalar kind a type expression is made of (`string`, `integer[]`, `string|char`), or None."""
    kinds = {_SCALARS.get(term.strip().removesuffix("[]").lower()) for term in type_.split("|")}
    if None in kinds or not kinds:
        return None
    if "string" in kinds or len(kinds) == 1:
        return "string" if "string" in kinds else kinds.pop()
    return "number"


def _runs(cell: str) -> list[tuple[str, list[str], str]]:
    """(lead-in line, bullet texts, line after) for each run of bullets in the cell."""
    lines = _FENCE.sub("", _NESTED_TABLE.sub("", cell)).splitlines()
    runs: list[tuple[str, list[str], str]] = []
    lead, bullets = "", []
    for line in [*lines, ""]:
        found = _BULLET.match(line)
        if found:
            bullets.append(found.group(1).strip())
        elif line.strip():
            if bullets:
                runs.append((lead, bullets, line.strip()))
                bullets = []
            lead = line.strip()
        elif bullets:
            runs.append((lead, bullets, ""))
            bullets = []
    return runs


def _bullet_values(bullets: list[str]) -> list[str] | None:
    values: list[str] = []
    for bullet in bullets:
        found = _VALUE_BULLET.match(bullet)
        if found is None:
            return None
        values.append(found.group(1))
        values += _MORE_VALUES.findall(found.group(2))
    return values


def _typed(values: list[str], kind: str) -> list[Any] | None:
    values = ["" if value in ("''", '""') else value for value in values]  # `''`: the empty string
    if any(_BAD_VALUE.search(value) for value in values if value) or len(set(values)) < 2:
        return None
    if kind == "integer":
        if not all(re.fullmatch(r"-?\d+", value) for value in values):
            return None
        return list(dict.fromkeys(int(value) for value in values))
    if kind == "number":
        try:
            return list(dict.fromkeys(float(value) if "." in value else int(value) for value in values))
        except ValueError:
            return None
    if kind == "char" and not all(len(value) == 1 for value in values):
        return None
    unique = list(dict.fromkeys(values))
    if {value.lower() for value in unique} == _SORT_DIRECTIONS:
        return ["asc", "desc", "ASC", "DESC"]
    return unique


def read(cell: str, type_: str) -> list[Any] | None:
    """The enum a description cell states for a parameter of type `type_`, or None."""
    return classify(cell, type_)[0]


def classify(cell: str, type_: str) -> tuple[list[Any] | None, str | None]:
    """(enum, outcome): outcome is None when the cell lists no values, else why it is or is not an enum."""
    lists: list[list[str]] = []
    open_list = False
    for lead, bullets, after in _runs(cell):
        values = _bullet_values(bullets)
        if values is None or len(values) < 2:
            continue
        lists.append(values)
        declared = _DECLARED.search(lead)  # "... Possible values:": the words before it are the subject
        if (not declared and _NOT_CLOSED.search(lead)) or _NOT_CLOSED.search(after):
            open_list = True
    text = _FENCE.sub("", _NESTED_TABLE.sub("", cell))
    for inline in _INLINE.finditer(text):
        start = text.rfind("\n", 0, inline.start()) + 1
        line = text[start : text.find("\n", inline.end()) % (len(text) + 1)]
        if "`" in text[start : inline.start()]:
            continue  # the sentence is about another name (`align`: one of `left`, `right`)
        lists.append(_MORE_VALUES.findall(inline.group(1) or inline.group(2)))
        open_list = open_list or bool(_NOT_CLOSED.search(line))
    if not lists:
        return None, None
    kind = scalar_kind(type_)
    if kind is None:
        boolean = all(term.strip().lower() in ("boolean", "bool") for term in type_.split("|"))
        return (
            None,
            "boolean type: its Y/N/0/1/true/false is the list"
            if boolean
            else "not a scalar type: the list names members, fields or items",
        )
    if open_list:
        return None, "the text around the list says it is open (prefixes, examples, formats, ...)"
    if len(lists) != 1:
        return None, "several lists in one cell"
    enum = _typed(lists[0], kind)
    if enum is None:
        return None, "values are not literals of the type (spaces, operators, placeholders, long chars)"
    default = _DEFAULT.search(text)
    if default and default.group(1) not in {str(value) for value in enum}:
        return None, "the stated default is not in the list"
    return enum, "enum"


def apply(param: dict[str, Any], name: str, cell: str, outcomes: Counter[str] | None = None) -> None:
    """Give a parameter the enum and bounds its cell states; an order/sort map gets its enum on its values."""
    param.update(bounds(cell, param["type"]))
    enum, outcome = classify(cell, param["type"])
    if name.lower() in ("order", "sort") and param["type"] == "object":
        directions = read(cell, "string")
        if directions is not None and {str(value).lower() for value in directions} == _SORT_DIRECTIONS:
            param["values"] = {"type": "string", "enum": directions}
            enum, outcome = None, "enum on the values of a sort map"
    if enum is not None:
        param["enum"] = enum
    if outcome is not None and outcomes is not None:
        outcomes[outcome] += 1


_NUMBER = r"`?(-?\d+)`?"
_MAX_LENGTH = re.compile(
    r"(?:up to|maximum length(?: is| of)?|max(?:imum)? length|no more than|at most|not exceed(?:ing)?"
    r"|length limit is)\s*" + _NUMBER + r"\s*(?:characters|symbols|chars)\b",
    re.IGNORECASE,
)
_MAX_ITEMS = re.compile(
    r"maximum number of (?:values|elements|items|ids|identifiers|records)\s*(?:is|—|–|-|:)?\s*"
    + _NUMBER
    + r"|(?:up to|no more than|at most|maximum of)\s*"
    + _NUMBER
    + r"\s*(?:values|elements|items|ids|identifiers|records|entries)\b",
    re.IGNORECASE,
)
_SENTENCE = r"(?:^|[.!]\s+|\n)\s*(?:the value |it |the number )?"
_AT_LEAST = re.compile(_SENTENCE + r"must be greater than or equal to\s*(?:`?(-?\d+)`?|(zero))", re.IGNORECASE)
_ABOVE = re.compile(_SENTENCE + r"must be greater than\s*(?:`?(-?\d+)`?|(zero))(?!\s*or)", re.IGNORECASE)
_MAXIMUM = re.compile(_SENTENCE + r"(?:the )?maximum(?: allowed)? value is\s*" + _NUMBER, re.IGNORECASE)
_MINIMUM = re.compile(_SENTENCE + r"(?:the )?minimum(?: allowed)? value is\s*" + _NUMBER, re.IGNORECASE)


def _single(pattern: re.Pattern[str], text: str) -> int | None:
    """The one number the pattern finds in the text; None when it finds none or several."""
    numbers = {
        int(next(group for group in found.groups() if group is not None).replace("zero", "0")) for found in pattern.finditer(text)
    }
    return numbers.pop() if len(numbers) == 1 else None


def bounds(cell: str, type_: str) -> dict[str, int]:
    """minimum / maximum / max_length / max_items the cell states in one of a few fixed phrasings."""
    text = _FENCE.sub("", _NESTED_TABLE.sub("", cell))
    found: dict[str, int] = {}
    kind = scalar_kind(type_)
    is_list = type_.endswith("[]") or type_ == "array"
    if kind == "string" and not is_list and (length := _single(_MAX_LENGTH, text)) is not None:
        found["max_length"] = length
    if is_list and (items := _single(_MAX_ITEMS, text)) is not None:
        found["max_items"] = items
    if kind in ("integer", "number") and not is_list:
        at_least, above = _single(_AT_LEAST, text), _single(_ABOVE, text)
        if at_least is not None:
            found["minimum"] = at_least
        elif above is not None and kind == "integer":
            found["minimum"] = above + 1
        minimum, maximum = _single(_MINIMUM, text), _single(_MAXIMUM, text)
        if minimum is not None and "minimum" not in found:
            found["minimum"] = minimum
        if maximum is not None:
            found["maximum"] = maximum
    return found
