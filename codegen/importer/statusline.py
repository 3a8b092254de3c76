"""Read the `HTTP status: **400**, **403**` lines the docs put above example answers.

Both the example reader (which status an example answer has) and the error reader (the
status of table rows that give none) need them, so the one parser lives here.
"""

from __future__ import annotations

import re

STATUS_LINE = re.compile(r"^(?:HTTP\s*)?(?:status|code)\s*:\s*(.*)$", re.IGNORECASE)
# 2xx-5xx only: a 1xx is never a REST answer, and one page's "**160**" is a typo, not a status.
_STATUS_VALUE = re.compile(r"\*\*\s*([2-5])(\d\d|xx|0x)\b", re.IGNORECASE)


def statuses(line: str) -> list[int]:
    """`HTTP status: **400**, **403**` → [400, 403]; `**40x**` → [400]; anything else → []."""
    found = STATUS_LINE.match(line.strip())
    if not found:
        return []
    result = []
    for first, rest in _STATUS_VALUE.findall(found.group(1)):
        value = int(first + (rest if rest.isdigit() else "00"))
        if value not in result:
            result.append(value)
    return result
