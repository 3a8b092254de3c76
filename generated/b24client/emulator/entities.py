"""Generic add / get / list / update / delete handlers over `families` and one `RecordStore`.

One set of five handlers serves every family; what differs between crm.contact.get
(`result` is the UPPER-case record, values as strings) and tasks.task.get
(`result.task`, camelCase) is data in the `Family`. Deals are the exception in storage,
not in protocol: crm.deal.* and crm.item.* with entityTypeId=2 read and write the seeded
deal table, so bulk tests and stateful tests see the same deals.

crm.item.* with entityTypeId 1, 3, 4 or 7 shares the records of crm.lead, crm.contact,
crm.company and crm.quote, rendered in crm.item's camelCase.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

from .calls import Call, Handler, Notify, Reply, as_int, get_ci, no_notify
from .deals import DealMethods
from .families import (
    CONTROL_PARAMS,
    CREATED_AT,
    CREATED_BY,
    ENTITY_TYPE_FAMILIES,
    MODIFIED_AT,
    SYSTEM_ENTITY_TYPES,
    Family,
)
from .filtering import as_list, select_fields, split_operator
from .lists import DealStore, ListPage, render_deal
from .store import RecordStore, Scope

DEAL_FAMILY = "crm.deal"
ITEM_FAMILY = "crm.item"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _blank(example: Any) -> Any:
    """The empty value of an example's JSON type: "" for text, 0 for numbers, [] for lists."""
    if isinstance(example, bool):
        return False
    if isinstance(example, int | float | str | list | dict):
        return type(example)()
    return None


def conform(value: Any, example: Any) -> Any:
    """A stored value in the JSON shape of the docs' example of that field.

    The portal answers in its own representation, not the caller's: numbers of a text-typed
    field come back as text, a field never set comes back empty (not null, so the record keeps
    the shape the result schema promises), an empty object is PHP's `[]`, a list of codes is
    an object keyed by them (documentgenerator `users`), and a scalar set on a property field
    comes back as `{"value": ...}`. Numbers stay as given (1.5 is not truncated to an int).
    """
    if value is None:
        return _blank(example)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(example, bool) and isinstance(value, int):
        return bool(value)
    if example is None or isinstance(example, bool):
        return value
    if isinstance(example, str):
        return str(value) if number else value
    if isinstance(example, int | float):
        if isinstance(value, str):
            return _number(value.strip()) if value.strip() else _blank(example)
        return value
    if isinstance(example, Mapping):
        if isinstance(value, Mapping):
            return {key: conform(item, example.get(key)) for key, item in value.items()}
        if isinstance(value, list):
            return {str(item): item for item in value if not isinstance(item, Mapping | list)}
        if "value" not in example:
            return value
        return {**{key: _blank(item) for key, item in example.items()}, "value": conform(value, example["value"])}
    # the example is a list
    if isinstance(value, Mapping):
        return [] if not value else list(value.values())
    if isinstance(value, list):
        return [conform(item, example[0]) for item in value] if example else value
    return [value]


class _Target:
    """Where a call's records live (a family of the store, or the deal table) and how to show them."""

    def __init__(
        self,
        view: Family,
        storage: Family,
        scope: Scope,
        store: RecordStore,
        deals: DealStore | None,
        entity_type: int | None = None,
    ) -> None:
        self.view, self.storage, self.scope, self.store, self.deals = view, storage, scope, store, deals
        self.entity_type = entity_type

    def fields_in(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Input fields in the storage family's spelling; names no doc mentions are dropped."""
        out: dict[str, Any] = {}
        for name, value in (fields or {}).items():
            if not self.storage.knows(str(name)) and not self.view.knows(str(name)):
                continue
            key = self.storage.field_name(self.view.field_name(str(name)))
            if key in self.storage.numeric and not self.storage.stringy and isinstance(value, str):
                value = _number(value.strip()) if value.strip() else None
            out[key] = value
        return out

    def render(self, record: Mapping[str, Any], select: Any = None, verb: str = "get") -> dict[str, Any]:
        if self.deals is not None:
            return render_deal(record, "deal" if self.view.name == DEAL_FAMILY else "item", select)
        same = self.view is self.storage
        names = [*self.storage.template, *(k for k in record if k not in self.storage.template)] if same else list(record)
        shown: dict[str, Any] = {}
        for name in names:
            out = name if same else self.view.field_name(name)
            shown[out] = self._typed(out, record.get(name), verb)
        if self.entity_type is not None:
            shown["entityTypeId"] = self.entity_type
        if not select:
            return shown
        names = [self.view.field_name(str(n)) for n in as_list(select) if n not in (None, "")]
        if self.view.id_key not in names and not self.view.stringy:
            names.insert(0, self.view.id_key)
        return select_fields([shown], names)[0]

    def _typed(self, name: str, value: Any, verb: str) -> Any:
        """A value in the JSON shape the docs show for the field (`"ID": "43"` vs `"id": 43`)."""
        example = self.view.example(verb, name)
        if example is None and value is not None:  # no example: the family's way (text or numbers)
            example = "" if self.view.stringy else 0 if name in self.view.numeric else None
        return conform(value, example)

    # --- storage ------------------------------------------------------------------------------

    def add(self, fields: dict[str, Any], user_id: int) -> int:
        if self.deals is not None:
            return self.deals.add(fields, user_id)
        record: dict[str, Any] = {}
        now = _now()
        for names, value in ((CREATED_AT, now), (MODIFIED_AT, now), (CREATED_BY, user_id)):
            for name in names:
                if name in self.storage.template:
                    record[name] = value
        record.update(fields)
        return self.store.add(self.storage.name, self.scope, record, self.storage.id_key)

    def get(self, record_id: int) -> dict[str, Any] | None:
        if self.deals is not None:
            return self.deals.record(record_id) if self.deals.exists(record_id) else None
        return self.store.get(self.storage.name, self.scope, record_id)

    def update(self, record_id: int, fields: dict[str, Any]) -> bool:
        if self.deals is not None:
            return self.deals.update(record_id, fields)
        fields.pop(self.storage.id_key, None)
        for name in MODIFIED_AT:
            if name in self.storage.template:
                fields.setdefault(name, _now())
        return self.store.update(self.storage.name, self.scope, record_id, fields) is not None

    def delete(self, record_id: int) -> bool:
        if self.deals is not None:
            return self.deals.delete(record_id)
        return self.store.delete(self.storage.name, self.scope, record_id)

    def page(self, filter_: Any, order: Any, start: Any) -> ListPage:
        assert self.deals is None  # deal lists are DealMethods' (the cost model prices them)
        return self.store.query(self.storage.name, self.scope, self._keys(filter_), self._keys(order), None, start)

    def _keys(self, mapping: Any) -> Any:
        if not isinstance(mapping, Mapping):
            return mapping
        out = {}
        for key, value in mapping.items():
            _op, name = split_operator(str(key))
            prefix = str(key)[: len(str(key)) - len(name)]
            out[prefix + self.storage.field_name(self.view.field_name(name))] = value
        return out


def _shaped(example: Any, rendered: dict[str, Any], record_id: int, family: Family) -> Any:
    """The add reply in the shape of the docs example: the id bare or as text, `[id]`, the
    record bare or wrapped (`{"item": {...}}`), or `{"id": 7}` inside whatever else it holds."""
    if isinstance(example, bool):
        return True
    if isinstance(example, str):
        return str(record_id)
    if isinstance(example, int | float) or example is None:
        return record_id
    if isinstance(example, list):
        return [_shaped(example[0] if example else record_id, rendered, record_id, family)]
    if isinstance(example, Mapping):
        if _is_record(example, family):
            return rendered
        out = {}
        for key, value in example.items():
            if str(key).lower() == "id" and not isinstance(value, Mapping | list | bool):
                out[key] = str(record_id) if isinstance(value, str) else record_id
            elif isinstance(value, Mapping):
                out[key] = _shaped(value, rendered, record_id, family)
            else:
                out[key] = value
        return out
    return record_id


def _is_record(example: Mapping[str, Any], family: Family) -> bool:
    known = [key for key in example if family.knows(str(key)) and str(key) in family.template]
    return len(example) > 1 and len(known) * 2 >= len(example)


class EntityMethods:
    """The handlers of every derived family, keyed by method name."""

    def __init__(
        self,
        families: tuple[Family, ...],
        store: RecordStore,
        deals: DealStore,
        deal_lists: DealMethods,
        notify: Notify = no_notify,
    ) -> None:
        self.families = {family.name: family for family in families}
        self.notify = notify  # every add/update/delete, so the portal can fire ONCRMDEALADD etc.
        self.store = store
        self.deals = deals
        self.deal_lists = deal_lists

    def handlers(self) -> dict[str, Handler]:
        table: dict[str, Handler] = {}
        for family in self.families.values():
            for verb, method in family.methods.items():
                table[method] = self._handler(family, verb)
        table["crm.deal.list"] = self.deal_lists.deal_list
        return table

    def _handler(self, family: Family, verb: str) -> Handler:
        run: Callable[[Family, Call], Reply] = getattr(self, f"_{verb}")
        return lambda call: run(family, call)

    # --- where --------------------------------------------------------------------------------

    def target(self, family: Family, call: Call) -> _Target:
        if family.name == DEAL_FAMILY:
            target = _Target(family, family, (), self.store, self.deals)
        elif family.name == ITEM_FAMILY:
            entity_type = as_int(get_ci(call.params, "entityTypeId"))
            shared = self.families.get(ENTITY_TYPE_FAMILIES.get(entity_type or 0, ""))
            if entity_type == 2 and shared is not None:
                target = _Target(family, shared, (), self.store, self.deals)
            elif shared is not None:
                target = _Target(family, shared, (), self.store, None, entity_type)
            elif entity_type in SYSTEM_ENTITY_TYPES:
                target = _Target(family, family, (("entityTypeId", str(entity_type)),), self.store, None, entity_type)
            else:
                raise call.fail("not_found", "SPA not found", code="NOT_FOUND")
        else:
            scope = tuple(sorted((name, str(get_ci(call.params, name) or "")) for name in family.scope))
            target = _Target(family, family, scope, self.store, None)
        return target

    def record_id(self, family: Family, verb: str, call: Call) -> int:
        record_id = as_int(get_ci(call.params, family.id_params.get(verb, "id")))
        if record_id is None or record_id <= 0:
            raise call.fail("invalid", "ID is not defined or invalid")
        return record_id

    def fields(self, family: Family, call: Call) -> dict[str, Any]:
        if family.fields_param:
            given = get_ci(call.params, family.fields_param)
            fields = dict(given) if isinstance(given, Mapping) else {}
        else:
            skip = {family.id_params.get(v, "").lower() for v in family.id_params} | {s.lower() for s in family.scope}
            fields = {k: v for k, v in call.params.items() if k.lower() not in skip | CONTROL_PARAMS}
        for param, name in family.extra_fields.items():
            value = get_ci(call.params, param)
            if value is not None:
                fields[name] = value
        return fields

    # --- verbs --------------------------------------------------------------------------------

    def _wrap(self, family: Family, verb: str, rendered: Any) -> Any:
        wrapper = family.wrapper(verb)
        return {wrapper: rendered} if wrapper else rendered

    def _add(self, family: Family, call: Call) -> Reply:
        target = self.target(family, call)
        fields = target.fields_in(self.fields(family, call))
        if family.parent is not None:
            param, name = family.parent
            fields[name] = as_int(get_ci(call.params, param))
        record_id = target.add(fields, call.identity.user_id)
        self.notify(target.storage.name, "add", record_id, call)
        rendered = target.render(target.get(record_id) or {}, verb="add")
        example = family.results.get("add")
        plural = family.wrapper("list") or family.wrapper("get") or ""
        if example is None and plural.endswith("s"):
            # sale.*: with no example, add answers as its siblings do (orders → {"order": {...}})
            example = {plural[:-1]: rendered}
        return Reply(_shaped(example, rendered, record_id, family))

    def _found(self, family: Family, verb: str, call: Call, target: _Target) -> tuple[int, dict[str, Any]]:
        record_id = self.record_id(family, verb, call)
        record = target.get(record_id)
        if record is None:
            raise call.fail("not_found", "Not found")
        return record_id, record

    def _get(self, family: Family, call: Call) -> Reply:
        if family.get_lists:
            return self._list(family, call)
        target = self.target(family, call)
        _, record = self._found(family, "get", call, target)
        return Reply(self._wrap(family, "get", target.render(record)))

    def _list(self, family: Family, call: Call) -> Reply:
        if family.name == DEAL_FAMILY or (family.name == ITEM_FAMILY and as_int(get_ci(call.params, "entityTypeId")) == 2):
            return self.deal_lists.item_list(call) if family.name == ITEM_FAMILY else self.deal_lists.deal_list(call)
        target = self.target(family, call)
        given = get_ci(call.params, "filter")
        filter_ = dict(given) if isinstance(given, Mapping) else {}
        verb = "get" if family.get_lists else "list"
        if family.parent is not None:
            param, name = family.parent
            filter_[name] = get_ci(call.params, param)
        elif family.get_lists:  # department.get ID=5, lists.element.get ELEMENT_ID=7: top-level filters
            id_param = family.id_params.get("get", "").lower()
            skip = {s.lower() for s in family.scope} | CONTROL_PARAMS
            for name, value in call.params.items():
                if name.lower() == id_param:
                    filter_[family.id_key] = value
                elif name.lower() not in skip and family.knows(name) and family.field_name(name) in family.template:
                    filter_[name] = value
        order = get_ci(call.params, "order") or get_ci(call.params, "sort")
        page = target.page(filter_, order if isinstance(order, Mapping) else None, call.params.get("start", 0))
        rows = [target.render(record, get_ci(call.params, "select"), verb) for record in page.records]
        return Reply(self._wrap(family, verb, rows), total=page.wire_total, next=page.next)

    def _update(self, family: Family, call: Call) -> Reply:
        target = self.target(family, call)
        record_id, _ = self._found(family, "update", call, target)
        target.update(record_id, target.fields_in(self.fields(family, call)))
        self.notify(target.storage.name, "update", record_id, call)
        if family.wrapper("update"):
            return Reply(self._wrap(family, "update", target.render(target.get(record_id) or {}, verb="update")))
        return Reply(True)

    def _delete(self, family: Family, call: Call) -> Reply:
        target = self.target(family, call)
        record_id, _ = self._found(family, "delete", call, target)
        target.delete(record_id)
        self.notify(target.storage.name, "delete", record_id, call)
        example = family.results.get("delete")
        return Reply(True if example is None else example)

    # --- seeding ------------------------------------------------------------------------------

    def seed(self, data: Mapping[str, Any]) -> dict[str, int]:
        """Store records given per family (`{"crm.contact": [{...}], "crm.deal": [...]}`); counts."""
        counts: dict[str, int] = {}
        for name, records in data.items():
            family = self.families.get(str(name))
            if family is None:
                known = ", ".join(sorted(self.families))
                raise ValueError(f"seed: {name!r} is not a stateful family; known: {known}")
            for raw in records if isinstance(records, list) else [records]:
                self._seed_one(family, dict(raw))
            counts[family.name] = counts.get(family.name, 0) + (len(records) if isinstance(records, list) else 1)
        return counts

    def _seed_one(self, family: Family, raw: dict[str, Any]) -> None:
        scope = tuple(sorted((name, str(raw.pop(name, ""))) for name in family.scope))
        target = _Target(family, family, scope, self.store, self.deals if family.name == DEAL_FAMILY else None)
        record_id = as_int(raw.pop(family.id_key, None) or raw.pop(family.id_key.lower(), None))
        fields = target.fields_in(raw)
        if target.deals is not None:
            new_id = target.add(fields, 1)
            if record_id is not None and record_id != new_id:
                raise ValueError(f"seed: crm.deal ids follow the seeded table; got ID {record_id}, next is {new_id}")
            return
        self.store.add(family.name, scope, fields, family.id_key, record_id)
