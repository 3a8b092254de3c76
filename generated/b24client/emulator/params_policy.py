"""Which parameters the emulator refuses, and with which error code: the portal's policy.

The validator is the client's (`b24client.runtime.validate`), so both agree on what a
documented parameter must look like. What a server does with the answer differs from what
a client does with it:

* A name the spec does not document is ignored, as the portal ignores it: SDK markers
  (`bx24_request_id`), client bookkeeping (fast_bitrix24's `__order`), and even a near-miss
  such as `SELCT`, which the client refuses before sending but the portal would silently
  drop. Ignored names are kept in the request record (`ignored`) so a test can see what the
  portal dropped. `strict_params` refuses every such name instead (contract tests).
* Missing parameters (a required one, or none of an either-or group) get the method's own
  documented entry for invalid input: pages document them (often `100` "Required fields
  are not provided").
* Any other bad value (a wrong type, a value outside its list or bounds) gets the entry
  the page documents for that very parameter (crm.deal.list: `""` "Parameter 'filter' must
  be array."), and otherwise `400 ERROR_ARGUMENT`, the portal's reply to an argument that
  fails its checks, not whatever miscellaneous code the page lists for invalid input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .specbook import GENERIC_INVALID, SpecBook
from .specbook import _category as category

# Rules of the validator that mean "something is missing", not "something is wrong".
MISSING_RULES = frozenset({"required", "at_least_one_of", "exactly_one_of", "required_if"})


@dataclass(frozen=True)
class ParamCheck:
    problems: tuple[str, ...]  # readable problems; empty when the call may run
    ignored: tuple[str, ...]  # undocumented parameter paths the portal drops
    missing_only: bool  # every problem is a missing parameter
    names: tuple[str, ...] = ()  # top-level parameters with a problem


def check(
    specs: SpecBook, method_id: str, params: Mapping[str, Any], *, strict: bool, skip: frozenset[str] = frozenset()
) -> ParamCheck:
    """The problems with `params` (rules in `skip` left to the handler) and the names ignored."""
    spec = specs.get(method_id)
    if spec is None:
        return ParamCheck((), (), True)
    from b24client.runtime.validate import check as run_check

    checked = run_check(spec, dict(params), strict=strict)
    kept = [p for p in checked.problems if p.rule not in skip and (strict or p.rule != "unknown")]
    ignored = [*checked.unknown, *(p.path for p in checked.problems if p.rule == "unknown" and not strict)]
    missing = all(p.rule in MISSING_RULES for p in kept)
    names = sorted({p.path.split(".")[0] for p in kept if p.path})
    return ParamCheck(tuple(str(p) for p in kept), tuple(sorted(ignored)), missing, tuple(names))


def refusal(specs: SpecBook, method_id: str, checked: ParamCheck) -> tuple[str, int]:
    """Code and HTTP status of the reply to parameters that failed `check`."""
    if checked.missing_only:
        return specs.error_for(method_id, "invalid", "; ".join(checked.problems))
    if len(checked.names) == 1:
        # an entry for invalid input whose message names the parameter: "parameter
        # '(order|filter)' must be array" names filter
        named = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(checked.names[0])}(?![A-Za-z0-9_])", re.IGNORECASE)
        for entry in specs.errors(method_id):
            if category(entry) == "invalid" and named.search(str(entry.get("match") or "")):
                return str(entry["code"]), int(entry["status"])
    return GENERIC_INVALID
