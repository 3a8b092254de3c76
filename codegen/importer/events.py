"""Turn one docs page of kind `event` into a draft event spec, or say why it is not one.

identify.py calls a page an event page when it has a handler section or its title speaks
of events; that takes in overview pages, widget placements (what an embedded page is
POSTed) and guides too. A page documents one event when it names one event code: the
`event` of its JSON example of the request, else an `onXxx` token in its title. Pages that
name several (im.v2 and imbot.v2 event formats) are left out and reported.

The payload comes from the page's parameter tables, read by the method importer's own
parser (params.py, subtables.py): the tables list the request's members with dotted names
(`data.FIELDS`) and sub-tables under anchors. The JSON example then fills in what the
tables leave out, with types taken from its values, and relaxes what it contradicts
(shapes.reconcile), each change recorded in a note. Only facts go in; `summary` is built
from the event's name.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from ..events import spec_checks
from ..naming import pascal
from . import examples, facts, params, rounds, shapes, subtables, yfm

SCOPE_GUESSED = "The page names no scope; the scope of the methods documented nearest to it in the docs tree is used."
ENVELOPE = ("event", "event_handler_id", "data", "ts", "auth")
_TITLE_CODE = re.compile(r"\b(on[A-Z][A-Za-z0-9]+)\b")
_CODE = re.compile(r"^[A-Z][A-Z0-9_.]*$")
_MULTI_HEADING = re.compile(r"^ON[A-Z0-9]{4,}$")
_WIDGET = re.compile(r"where the widget is (?:embedded|integrated)|widget placement", re.IGNORECASE)
_STOP = re.compile(r"continue learning|code examples?|see also|how to|error handling", re.IGNORECASE)
_PAST = {
    "add": "added",
    "update": "updated",
    "delete": "deleted",
    "start": "started",
    "finish": "finished",
    "change": "changed",
    "install": "installed",
    "uninstall": "uninstalled",
    "set": "set",
    "bind": "bound",
    "unbind": "unbound",
    "join": "joined",
    "leave": "left",
    "expose": "issued",
    "send": "sent",
    "move": "moved",
    "copy": "copied",
    "read": "read",
    "like": "liked",
    "clear": "cleared",
}


@dataclass
class EventDraft:
    """What one event page gave: a draft spec, or the reason it gave none."""

    docs: str
    event: str | None = None
    spec: dict[str, Any] | None = None
    skipped: str | None = None
    payload_source: str = ""  # "tables", "tables and example", "example only", "none"
    findings: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)


def example_bodies(blocks: list[yfm.Block]) -> list[dict[str, Any]]:
    """The page's JSON examples of the request: objects with an `event` member."""
    found = []
    for block in blocks:
        if isinstance(block, yfm.Code) and block.lang in ("json", "js", "javascript", ""):
            parsed = examples.loads(block.text)
            if isinstance(parsed, dict) and isinstance(parsed.get("event"), str):
                found.append(parsed)
    return found


def skip_reason(docs: str, title: str, blocks: list[yfm.Block]) -> str | None:
    """Why an event-kind page documents no single event, or None when it may."""
    h2 = [yfm.plain(b.text) for b in blocks if isinstance(b, yfm.Heading) and b.level == 2]
    if docs.endswith("/index.md") or "overview" in title.lower():
        return "overview of several events"
    if "/widgets/" in docs or "/embedding/" in docs or any(_WIDGET.search(text) for text in h2):
        return "widget placement: what an embedded page is sent, not an event"
    return None


def event_code(title: str, bodies: list[dict[str, Any]]) -> tuple[str | None, list[str]]:
    """(code as the portal sends it, notes): the example's `event`, else the title's onXxx token."""
    notes = []
    titled = _TITLE_CODE.findall(title)
    sent = bodies[0]["event"].upper() if bodies else None
    if sent and titled and titled[-1].upper() != sent:
        notes.append(f"The title names {titled[-1]}; the example request sends {bodies[0]['event']}, which is taken.")
    if sent and sent != bodies[0]["event"]:
        notes.append(f"The example sends `{bodies[0]['event']}`; the portal sends event codes in upper case.")
    code = sent or (titled[-1].upper() if titled else None)
    return (code if code and _CODE.match(code) else None), notes


def type_name(code: str, title: str, docs: str, blocks: list[yfm.Block]) -> str:
    """OnCrmDealAdd: the title's camelCase token, else the page's file name, when its letters are
    the code's; else the code cut into words the page uses (ONIMBOTV2MESSAGEADD → OnImbotV2MessageAdd)."""
    letters = re.sub(r"[^A-Z0-9]", "", code)
    for candidate in [*_TITLE_CODE.findall(title), docs.rsplit("/", 1)[-1].removesuffix(".md")]:
        name = pascal(candidate)
        if name.upper() == letters:
            return name
    words = _split_words(letters.lower(), _page_words(blocks))
    return "".join(word[:1].upper() + word[1:] for word in words) if words else pascal(code.lower().replace(".", "_"))


def _page_words(blocks: list[yfm.Block]) -> set[str]:
    words = {"on", *_PAST}  # the verbs event codes end in, whether or not the prose uses them
    for block in blocks:
        text = getattr(block, "text", "")
        text = re.sub(r"\]\([^)]*\)|\{#[^}]*\}", " ", text)  # link targets and anchors spell codes run together
        spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)  # camelCase words apart
        words |= {
            word.lower() for word in re.findall(r"[A-Za-z]+[0-9]*", spaced) if len(word) >= 2 and not word.isupper()
        }  # codes in capitals are what is being cut
    return words


def _split_words(letters: str, vocabulary: set[str]) -> list[str] | None:
    """`letters` as the fewest words of `vocabulary` (longest first on ties), or None."""
    best: list[list[str] | None] = [[]] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(end):
            head = best[start]
            word = letters[start:end]
            if head is not None and word in vocabulary:
                candidate = [*head, word]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[-1]


def summary_of(name: str) -> str:
    """A line built from the name alone: OnCrmDealAdd → "Crm deal added."."""
    words = [w.lower() for w in re.findall(r"[A-Z][a-z0-9]*|[0-9]+", name) if w.lower() != "on"]
    if not words:
        return "An event."
    if words[-1] in _PAST:
        words[-1] = _PAST[words[-1]]
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _handler_region(blocks: list[yfm.Block]) -> list[yfm.Block]:
    """The blocks from the top of the page down to the first H2 that closes the description."""
    region = []
    for block in blocks:
        if isinstance(block, yfm.Heading) and block.level == 2 and _STOP.search(yfm.plain(block.text)):
            break
        region.append(block)
    return region


def param_of(value: Any) -> dict[str, Any]:
    """A parameter spec for a value the example sends, its type read off the JSON value."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "double"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, dict):
        found: dict[str, Any] = {"type": "object"}
        if value:
            found["properties"] = {str(key): param_of(item) for key, item in value.items()}
        return found
    if isinstance(value, list):
        elements = [item for item in value if isinstance(item, dict)]
        if elements and len(elements) == len(value):
            merged: dict[str, Any] = {}
            for element in elements:
                for key, item in element.items():
                    merged.setdefault(str(key), param_of(item))
            return {"type": "object[]", "items": {"type": "object", "properties": merged}} if merged else {"type": "array"}
        return {"type": "array"}
    return {"type": "any", "nullable": True}


def fill_from_example(param: dict[str, Any], value: Any, path: str, notes: list[str]) -> int:
    """Add the members the example sends and the tables leave out; how many were added."""
    if not isinstance(value, dict):
        return 0
    if param.get("open") and "properties" not in param:
        return 0
    target = param.get("items", param) if param["type"].endswith("[]") else param
    members = target.setdefault("properties", {})
    added = 0
    for key, item in value.items():
        key = str(key)
        if key not in members:
            members[key] = param_of(item)
            notes.append(f"`{path}.{key}`: not in the tables; the example sends it, typed from its value")
            added += 1
        else:
            added += fill_from_example(members[key], item, f"{path}.{key}", notes)
    if not members:
        del target["properties"]
    return added


def _allow_example_shape(param: dict[str, Any], value: Any, path: str, notes: list[str]) -> None:
    """A PHP `array` documented as a list that the example sends as an object (or the reverse):
    the example is what arrives, so the table's kind is widened to take it."""
    kinds = param["type"].split("|")
    if isinstance(value, dict) and not any(k == "object" or k.endswith("[]") or k in ("array", "any") for k in kinds):
        if kinds and all(k in ("string", "integer", "double", "boolean") for k in kinds):
            param["type"] = "|".join([*kinds, "object"])
            notes.append(f"`{path}`: the table gives a scalar type, the example sends an object; both are taken")
    for key, member in (param.get("properties") or {}).items():
        if isinstance(value, dict) and key in value:
            _allow_example_shape(member, value[key], f"{path}.{key}", notes)


_SEGMENT = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")


def _param_at(members: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The parameter a validator path names (`data.FIELDS.ITEMS[0].ID`), or None."""
    param: dict[str, Any] | None = None
    for name, indexes in _SEGMENT.findall(path):
        if param is not None:
            members = param.get("properties") or {}
            if name not in members and "values" in param:
                param = param["values"]
                continue
        param = members.get(name)
        if param is None:
            return None
        for _ in range(indexes.count("[")):
            param = param.get("items", param)
    return param


def _value_at(body: Any, path: str) -> Any:
    for name, indexes in _SEGMENT.findall(path):
        body = body.get(name) if isinstance(body, dict) else None
        for index in re.findall(r"\d+", indexes):
            body = body[int(index)] if isinstance(body, list) and int(index) < len(body) else None
    return body


def settle(spec: dict[str, Any], shared: dict[str, Any], registry: Any, notes: list[str]) -> int:
    """Widen the draft's payload until its own examples pass the strict check; how many changes.

    The example is what the portal sends: a value of another kind than the table's joins
    the type's union, a value outside a listed set drops the set, a null makes the member
    nullable. Only `data` and the event's own envelope members are changed; a problem in
    the shared `auth` block is left for the checker to report.
    """
    seen: set[tuple[str, str]] = set()

    def find() -> list[tuple[Any, Any]]:
        problems = [
            (problem, example["body"])
            for example in spec.get("examples", [])
            for problem in spec_checks.body_problems(example["body"], spec, shared, registry)
            if not problem.path.startswith("auth") and problem.path != "event"
        ]
        return problems[:1]  # only the first: if it cannot be settled, the draft stays as it is

    def settle_one(found: tuple[Any, Any]) -> bool:
        problem, body = found
        param = _param_at({"data": spec["data"], **spec.get("envelope", {})}, problem.path)
        if param is None or problem.rule not in _SETTLED_RULES or (problem.path, problem.rule) in seen:
            return False
        seen.add((problem.path, problem.rule))
        _widen(param, problem.path, problem.rule, _value_at(body, problem.path), notes)
        return True

    return rounds.settle_in_rounds(50, find, settle_one)[1]  # each round settles one member; payloads are small


_SETTLED_RULES = ("type", "enum", "not_null", "required")


def _widen(param: dict[str, Any], path: str, rule: str, value: Any, notes: list[str]) -> None:
    """Change `param` so that the example's `value` passes the rule it broke."""
    if rule == "type":
        kind = param_of(value)["type"]
        param["type"] = "|".join(dict.fromkeys([*param["type"].split("|"), kind]))
        notes.append(f"`{path}`: the example sends {type(value).__name__} {str(value)[:40]!r}; `{kind}` joins the table's type")
    elif rule == "enum":
        del param["enum"]
        notes.append(f"`{path}`: the example sends {value!r}, not a listed value; no value list")
    elif rule == "not_null":
        param["nullable"] = True
        notes.append(f"`{path}`: the example sends null; nullable")
    else:
        del param["required"]
        notes.append(f"`{path}`: the tables mark it required, an example leaves it out; not required")


def build(docs: str, title: str, blocks: list[yfm.Block], shared: dict[str, Any], registry: Any) -> list[EventDraft]:
    """The draft event specs of an event-kind page (one, or one per section of a page that
    describes several), or a single EventDraft with `skipped` set."""
    reason = skip_reason(docs, title, blocks)
    if reason is None and _event_sections(blocks):
        return [_section_draft(docs, title, code, section, blocks, shared, registry) for code, section in _event_sections(blocks)]
    bodies = example_bodies(blocks)
    code, name_notes = event_code(title, bodies)
    if reason is None and code is None:
        reason = "names no event code (a guide, not an event)"
    if reason is not None:
        return [EventDraft(docs, skipped=reason)]
    assert code is not None
    notes: list[dict[str, str]] = [{"topic": "Event name", "choice": note} for note in name_notes]
    return [_draft(docs, title, code, _handler_region(blocks), bodies, blocks, notes, shared, registry)]


def _event_sections(blocks: list[yfm.Block]) -> list[tuple[str, list[yfm.Block]]]:
    """(code, blocks) of each H2 named by an event code, on pages that describe several events."""
    sections: list[tuple[str, list[yfm.Block]]] = []
    for block in blocks:
        if isinstance(block, yfm.Heading) and block.level == 2:
            text = yfm.plain(block.text).strip()
            sections.append((text if _MULTI_HEADING.match(text) else "", [block]))
        elif sections:
            sections[-1][1].append(block)
    found = [(code, section) for code, section in sections if code]
    return found if len(found) >= 2 else []


def _section_draft(
    docs: str, title: str, code: str, section: list[yfm.Block], page: list[yfm.Block], shared: dict[str, Any], registry: Any
) -> EventDraft:
    """One event of a page that describes several: its table lists the members of `data`, and
    its JSON example shows `data` alone, which becomes the example request's `data`."""
    bodies = [{"event": code, "data": parsed} for parsed, _ in examples.json_blocks(section) if "event" not in parsed]
    notes = [{"topic": "Event name", "choice": f"The page describes several events; this is its section {code}."}]
    if bodies:
        notes.append(
            {
                "topic": "Examples",
                "choice": "The section's example shows `data` only; the example request "
                "wraps it with the event code and nothing else.",
            }
        )
    draft = _draft(docs, title, code, section, bodies[:1], page, notes, shared, registry)
    if draft.spec is not None:
        draft.spec["title"] = f"{title}: {code}"
    return draft


def _draft(
    docs: str,
    title: str,
    code: str,
    region: list[yfm.Block],
    bodies: list[dict[str, Any]],
    blocks: list[yfm.Block],
    notes: list[dict[str, str]],
    shared: dict[str, Any],
    registry: Any,
) -> EventDraft:
    """The draft of one event: its tables in `region`, its example requests `bodies`."""
    draft = EventDraft(docs, event=code)
    stats = params.TableStats()
    tree = subtables.assemble(region, stats).tree
    shape_notes: list[str] = []
    envelope: dict[str, Any] = {}
    if "data" in tree:
        data = tree["data"]
        envelope = {key: value for key, value in tree.items() if key not in ENVELOPE}
    elif tree and not set(tree) & set(ENVELOPE):
        data = {"type": "object", "properties": tree}  # older pages list the members of `data` alone
    else:
        data = {"type": "object"}
    data.pop("required", None)
    if data["type"] in ("array", "any"):
        data["type"] = "object"
        shape_notes.append("`data`: the table types it `array`; it arrives as an object of named members")
    from_tables = bool(data.get("properties")) or ("data" in tree and data["type"] != "object")

    added = 0
    for body in bodies:
        given = body.get("data")
        if isinstance(given, dict) and "properties" in data:
            shapes.reconcile(data["properties"], given, "data", shape_notes, top=False)
        _allow_example_shape(data, given, "data", shape_notes)
        added += fill_from_example(data, given, "data", shape_notes)
        for key, value in body.items():
            if key not in ENVELOPE and key not in envelope:
                envelope[key] = param_of(value)
                shape_notes.append(f"`{key}`: a top-level member the example sends; typed from its value")
    if not data.get("properties") and not bodies:
        data["open"] = True
    draft.payload_source = (
        ("tables and example" if added else "tables") if from_tables else ("example only" if data.get("properties") else "none")
    )
    if draft.payload_source == "none":
        shape_notes.append("`data`: neither a table nor a JSON example shows its members; any object is taken")

    head = [b for b in blocks if not (isinstance(b, yfm.Heading) and b.level == 2)][:20]
    scopes, _ = facts.scope_and_access(head)
    spec: dict[str, Any] = {"event": code, "type_name": type_name(code, title, docs, blocks), "title": title}
    spec["summary"] = summary_of(spec["type_name"])
    spec["docs"] = docs
    if scopes:
        spec["scope"] = scopes[0] if len(scopes) == 1 else scopes
    else:
        spec["scope"] = docs.split("/")[1]  # run.py replaces it with the nearest documented methods' scope
        notes.append({"topic": "Scope", "choice": SCOPE_GUESSED})
        draft.findings.append("no scope line")
    deprecated = facts.deprecation(docs, blocks)
    if deprecated:
        deprecated["reason"] = deprecated["reason"].replace("the method", "the event")
        spec["deprecated"] = deprecated
    mentions_auth = "auth" in tree or any(
        "auth-params-in-events" in (b.include_path or "") for b in blocks if isinstance(b, yfm.Directive)
    )
    if bodies and not any("auth" in body for body in bodies) and not mentions_auth:
        spec["auth"] = "absent"
    if envelope:
        spec["envelope"] = envelope
    spec["data"] = data
    if bodies:
        spec["examples"] = [
            {"name": "docs" if index == 0 else f"docs_{index + 1}", "body": copy.deepcopy(body)}
            for index, body in enumerate(bodies)
        ]
    settle(spec, shared, registry, shape_notes)
    notes += [{"topic": "Shape of values", "choice": note} for note in shape_notes]
    if notes:
        spec["notes"] = notes
    draft.spec = spec
    draft.types = params.type_names({"data": data, **envelope})
    return draft


def nearest_scope(docs: str, method_scopes: dict[str, Any]) -> Any | None:
    """The scope most of the methods in the deepest docs folder holding both have (`method_scopes`:
    method page path → its scope), for an event page without a scope line."""
    folder = docs.rsplit("/", 1)[0]
    while "/" in folder:
        found = sorted((repr(scope), scope) for path, scope in method_scopes.items() if path.startswith(folder + "/"))
        if found:
            counts: dict[str, int] = {}
            for key, _ in found:
                counts[key] = counts.get(key, 0) + 1
            best = max(sorted(counts), key=lambda key: counts[key])
            return next(scope for key, scope in found if key == best)
        folder = folder.rsplit("/", 1)[0]
    return None
