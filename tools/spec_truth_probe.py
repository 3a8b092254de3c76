"""Measure the spec-truth findings of issue 8 with the public API only.

Run it against any checkout's package to get before/after figures measured the same way:
    .venv/bin/python tools/spec_truth_probe.py
    PYTHONPATH=<layout of an older commit> .venv/bin/python tools/spec_truth_probe.py
Each line is one call the docs say is valid (or invalid), and what `b24client.validate`
says of it; nothing is sent anywhere.

With `--docs <checkout>` it also replays every request example of the docs pages (the cURL
bodies, read with the importer's page readers) through `b24client.validate`, plain and
strict, and counts those refused: placeholder-valued ones apart, as they stand for values
the reader fills in. `--list` prints each refused example.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import b24client

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the importer's page readers (codegen/)

# Calls the docs' own pages make or allow; each must validate clean.
VALID = [
    ("im.message.add", {"DIALOG_ID": "chat2941", "ATTACH": [{"MESSAGE": "x"}]}, "only ATTACH, no MESSAGE"),
    ("im.chat.updateTitle", {"DIALOG_ID": "chat13", "TITLE": "New"}, "by DIALOG_ID"),
    ("im.chat.updateColor", {"DIALOG_ID": "chat13", "COLOR": "MINT"}, "by DIALOG_ID"),
    ("im.chat.updateAvatar", {"DIALOG_ID": "chat13", "AVATAR": "iVBORw0KGgo="}, "by DIALOG_ID"),
    ("im.chat.setOwner", {"DIALOG_ID": "chat13", "USER_ID": 2}, "by DIALOG_ID"),
    ("im.disk.folder.get", {"DIALOG_ID": "chat1489"}, "the page's own example"),
    ("crm.address.list", {"order": {"TYPE_ID": "asc"}, "filter": {"ENTITY_TYPE_ID": 8}, "limit": 10}, "example uses limit"),
    (
        "crm.timeline.bindings.list",
        {"filter": {"OWNER_ID": 1, "OWNER_TYPE_ID": 2}, "order": {"ENTITY_ID": "asc"}},
        "order on a list whose table omits it",
    ),
    ("crm.deal.list", {"select": ["ID"], "bx24_request_id": "r1", "bx24_sdk_ver": "2.2.0"}, "JS SDK markers"),
    (
        "sale.paysystem.handler.update",
        {"ID": 3, "FIELDS": {"SETTINGS": {"CURRENCY": ["EUR"]}}},
        "update without a mode (page states no rule)",
    ),
    (
        "calendar.event.add",
        {"type": "user", "ownerId": 1, "from_ts": 1718000000, "to_ts": 1718003600, "section": 5, "name": "x"},
        "timestamps instead of dates",
    ),
    (
        "crm.deal.add",
        {"fields": {"TITLE": "x", "CATEGORY_ID": 2, "LOCATION_ID": 15}},
        "funnel and location are integer ids (crm/data-types.md)",
    ),
    ("department.get", {"SORT": 5}, "SORT as the filter the table documents"),
    ("crm.company.add", {"fields": {"TITLE": "x", "UTM_MEDIUM": "email"}}, "UTM_MEDIUM free text, as other pages send"),
    (
        "sign.b2e.document.send",
        {
            "fields": {
                "company": {"crmId": 12},
                "members": [{"userId": 25, "role": "signer"}],
                "responsible": {"employeeCode": "E1"},
                "companyProviderUid": "d4f6",
                "files": [{"fileName": "c.pdf", "fileType": "application/pdf", "fileContent": "JV"}],
                "regionDocumentType": "12.999",
                "externalSettings": {"externalId": "X", "externalDateCreate": "2025-02-18"},
            }
        },
        "responsible by employeeCode alone",
    ),
    (
        "task.stages.movetask",
        {"id": 1, "stageId": 2, "before": 3, "after": 4},
        "before and after together, as the page's own example sends them",
    ),
    ("bizproc.workflow.kill", {"ID": "65e5a449e8f135.21284909"}, "workflow ids are strings"),
    (
        "sale.paysystem.settings.update",
        {"ID": 11, "SETTINGS": {"REST_SERVICE_KEY_IFRAME": {"TYPE": "VALUE", "VALUE": "K"}}},
        "SETTINGS is a map of setting codes",
    ),
]
# Calls the docs forbid; each must be refused.
INVALID = [
    ("im.chat.mute", {"MUTE": "Y"}, "neither CHAT_ID nor DIALOG_ID"),
    ("imbot.v2.Bot.get", {}, "neither botId nor code"),
    ("crm.item.payment.product.setQuantity", {"id": 1, "quantity": 0}, "quantity must be above 0"),
    ("sale.paysystem.settings.update", {"ID": 1, "SETTINGS": {}}, "empty SETTINGS"),
    ("voximplant.sip.update", {"CONFIG_ID": 1}, "nothing to change"),
    ("crm.deal.list", {"selct": ["ID"]}, "a typo of select"),
    (
        "imconnector.send.messages",
        {"CONNECTOR": "c", "LINE": 1, "MESSAGES": [{"user": {"id": "u"}, "message": {"id": "m"}, "chat": {"id": "c"}}]},
        "a message with neither text nor files",
    ),
    (
        "sign.b2e.document.send",
        {
            "fields": {
                "company": {"crmId": 12},
                "members": [{"role": "signer"}],
                "responsible": {"userId": 7},
                "companyProviderUid": "d4f6",
                "files": [{"fileName": "c.pdf", "fileType": "application/pdf", "fileContent": "JV"}],
                "regionDocumentType": "12.999",
                "externalSettings": {"externalId": "X", "externalDateCreate": "2025-02-18"},
            }
        },
        "a member named by none of employeeId, employeeCode, userId",
    ),
]


def docs_examples(docs: Path, show: bool) -> None:
    """Every distinct cURL request body of every method page, through the public validator."""
    from codegen.importer import example_fit, examples, identify, shapes, yfm
    from codegen.importer.run import pages

    counts = {
        key: 0
        for key in (
            "methods",
            "first",
            "first refused",
            "first placeholder",
            "first strict only",
            "bodies",
            "refused",
            "placeholder",
            "strict only",
        )
    }
    for path, relative in pages(docs):
        blocks = yfm.parse(Path(path).read_text(encoding="utf-8"))
        identity = identify.identify(relative, blocks)
        if identity.kind != "method" or identity.method is None:
            continue
        version = 3 if identity.api_version == 3 else 2
        first, _ = examples.webhook_request(blocks, identity.method)
        bodies: list[dict[str, Any]] = [first] if first is not None else []
        bodies += [body for body in shapes.request_bodies(blocks, identity.method) if body not in bodies]
        counts["methods"] += bool(bodies)
        for index, body in enumerate(bodies):
            plain = b24client.validate(identity.method, body, api_version=version)
            strict = b24client.validate(identity.method, body, api_version=version, strict=True)
            hits = {
                "bodies": True,
                "refused": bool(plain),
                "strict only": bool(strict) and not plain,
                "placeholder": bool(plain) and any(example_fit.is_placeholder(v) for v in _leaves(body)),
            }
            for key, hit in hits.items():
                counts[key] += hit
                if index == 0 and first is not None:
                    counts["first" if key == "bodies" else f"first {key}"] += hit
            if show and (plain or strict):
                print(f"  refused{' (strict)' if not plain else ''}: {(plain or strict)[0]}")
    print(
        f"docs request examples: {counts['bodies']} distinct bodies on {counts['methods']} method pages; "
        f"refused {counts['refused']} ({counts['placeholder']} with placeholder values); "
        f"refused only in strict mode {counts['strict only']}"
    )
    print(
        f"first webhook example per page: {counts['first']}; refused {counts['first refused']} "
        f"({counts['first placeholder']} with placeholder values); strict only {counts['first strict only']}"
    )
    print(json.dumps(counts, sort_keys=True))


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--docs", type=Path, help="docs checkout: also replay every docs request example")
    parser.add_argument("--list", action="store_true", help="print each refused docs example")
    args = parser.parse_args()
    refused = 0
    for method, params, why in VALID:
        problems = b24client.validate(method, params)
        refused += bool(problems)
        print(
            f"valid   {'REFUSED' if problems else 'ok     '} {method} ({why})"
            + (f": {problems[0].path} {problems[0].rule}" if problems else "")
        )
    missed = 0
    for method, params, why in INVALID:
        problems = b24client.validate(method, params)
        missed += not problems
        print(f"invalid {'caught ' if problems else 'MISSED '} {method} ({why})")
    print(f"valid calls refused: {refused} of {len(VALID)}; invalid calls missed: {missed} of {len(INVALID)}")
    if args.docs:
        docs_examples(args.docs, args.list)


if __name__ == "__main__":
    main()
