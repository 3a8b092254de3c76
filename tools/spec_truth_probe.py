"""Measure the spec-truth findings of issue 8 with the public API only.

Run it against any checkout's package to get before/after figures measured the same way:
    .venv/bin/python tools/spec_truth_probe.py
    PYTHONPATH=<layout of an older commit> .venv/bin/python tools/spec_truth_probe.py
Each line is one call the docs say is valid (or invalid), and what `b24client.validate`
says of it; nothing is sent anywhere.
"""

from __future__ import annotations

import b24client

# Calls the docs' own pages make or allow; each must validate clean.
VALID = [
    ("im.message.add", {"DIALOG_ID": "chat2941", "ATTACH": [{"MESSAGE": "x"}]}, "only ATTACH, no MESSAGE"),
    ("im.chat.updateTitle", {"DIALOG_ID": "chat13", "TITLE": "New"}, "by DIALOG_ID"),
    ("im.chat.updateColor", {"DIALOG_ID": "chat13", "COLOR": "MINT"}, "by DIALOG_ID"),
    ("im.chat.updateAvatar", {"DIALOG_ID": "chat13", "AVATAR": "iVBORw0KGgo="}, "by DIALOG_ID"),
    ("im.chat.setOwner", {"DIALOG_ID": "chat13", "USER_ID": 2}, "by DIALOG_ID"),
    ("im.disk.folder.get", {"DIALOG_ID": "chat1489"}, "the page's own example"),
    ("crm.address.list", {"order": {"TYPE_ID": "asc"}, "filter": {"ENTITY_TYPE_ID": 8}, "limit": 10}, "example uses limit"),
    ("crm.timeline.bindings.list", {"filter": {"OWNER_ID": 1, "OWNER_TYPE_ID": 2}, "order": {"ENTITY_ID": "asc"}},
     "order on a list whose table omits it"),
    ("crm.deal.list", {"select": ["ID"], "bx24_request_id": "r1", "bx24_sdk_ver": "2.2.0"}, "JS SDK markers"),
    ("sale.paysystem.handler.update", {"ID": 3, "FIELDS": {"SETTINGS": {"CURRENCY": ["EUR"]}}},
     "update without a mode (page states no rule)"),
    ("calendar.event.add", {"type": "user", "ownerId": 1, "from_ts": 1718000000, "to_ts": 1718003600, "section": 5,
                            "name": "x"}, "timestamps instead of dates"),
    ("crm.deal.add", {"fields": {"TITLE": "x", "CATEGORY_ID": 2, "LOCATION_ID": 15}},
     "funnel and location are integer ids (crm/data-types.md)"),
    ("department.get", {"SORT": 5}, "SORT as the filter the table documents"),
    ("crm.company.add", {"fields": {"TITLE": "x", "UTM_MEDIUM": "email"}}, "UTM_MEDIUM free text, as other pages send"),
    ("sign.b2e.document.send", {"fields": {
        "company": {"crmId": 12}, "members": [{"userId": 25, "role": "signer"}], "responsible": {"employeeCode": "E1"},
        "companyProviderUid": "d4f6", "files": [{"fileName": "c.pdf", "fileType": "application/pdf", "fileContent": "JV"}],
        "regionDocumentType": "12.999", "externalSettings": {"externalId": "X", "externalDateCreate": "2025-02-18"}}},
     "responsible by employeeCode alone"),
    ("task.stages.movetask", {"id": 1, "stageId": 2, "before": 3, "after": 4},
     "before and after together, as the page's own example sends them"),
    ("bizproc.workflow.kill", {"ID": "65e5a449e8f135.21284909"}, "workflow ids are strings"),
    ("sale.paysystem.settings.update", {"ID": 11, "SETTINGS": {"REST_SERVICE_KEY_IFRAME": {"TYPE": "VALUE",
                                                                                       "VALUE": "K"}}},
     "SETTINGS is a map of setting codes"),
]
# Calls the docs forbid; each must be refused.
INVALID = [
    ("im.chat.mute", {"MUTE": "Y"}, "neither CHAT_ID nor DIALOG_ID"),
    ("imbot.v2.Bot.get", {}, "neither botId nor code"),
    ("crm.item.payment.product.setQuantity", {"id": 1, "quantity": 0}, "quantity must be above 0"),
    ("sale.paysystem.settings.update", {"ID": 1, "SETTINGS": {}}, "empty SETTINGS"),
    ("voximplant.sip.update", {"CONFIG_ID": 1}, "nothing to change"),
    ("crm.deal.list", {"selct": ["ID"]}, "a typo of select"),
    ("imconnector.send.messages", {"CONNECTOR": "c", "LINE": 1, "MESSAGES": [
        {"user": {"id": "u"}, "message": {"id": "m"}, "chat": {"id": "c"}}]}, "a message with neither text nor files"),
    ("sign.b2e.document.send", {"fields": {
        "company": {"crmId": 12}, "members": [{"role": "signer"}], "responsible": {"userId": 7},
        "companyProviderUid": "d4f6", "files": [{"fileName": "c.pdf", "fileType": "application/pdf", "fileContent": "JV"}],
        "regionDocumentType": "12.999", "externalSettings": {"externalId": "X", "externalDateCreate": "2025-02-18"}}},
     "a member named by none of employeeId, employeeCode, userId"),
]


def main() -> None:
    refused = 0
    for method, params, why in VALID:
        problems = b24client.validate(method, params)
        refused += bool(problems)
        print(f"valid   {'REFUSED' if problems else 'ok     '} {method} ({why})"
              + (f": {problems[0].path} {problems[0].rule}" if problems else ""))
    missed = 0
    for method, params, why in INVALID:
        problems = b24client.validate(method, params)
        missed += not problems
        print(f"invalid {'caught ' if problems else 'MISSED '} {method} ({why})")
    print(f"valid calls refused: {refused} of {len(VALID)}; invalid calls missed: {missed} of {len(INVALID)}")


if __name__ == "__main__":
    main()
