"""Reference pages made from a spec (codegen/site.py); the MkDocs build itself runs in `make docs`."""

from __future__ import annotations

from codegen.load import SPEC_ROOT, SpecFile, read_yaml, with_list_params
from codegen.site import _page_links, method_section


def _spec(method: str) -> SpecFile:
    path = SPEC_ROOT / "methods" / f"{method}.yaml"
    return SpecFile(method, with_list_params(read_yaml(path)), (path,), "curated")


def test_a_method_section_has_parameters_rules_errors_and_calls():
    page = method_section(_spec("sale.paysystem.pay.invoice"))
    assert "| `INVOICE_ID` | `integer` | yes |" in page
    assert "**Rules:** at least one of PAY_SYSTEM_ID, BX_REST_HANDLER" in page
    assert "| `ERROR_INTERNAL_INVOICE_NOT_FOUND` | 400 |" in page
    assert "b24.sale.paysystem.pay.invoice(invoice_id=2, pay_system_id=31)" in page
    assert "b24 call sale.paysystem.pay.invoice --json" in page
    assert "https://apidocs.bitrix24.com/api-reference/pay-system/" in page


def test_nested_parameters_are_listed_under_their_parent():
    page = method_section(_spec("sale.paysystem.handler.add"))
    assert "| `SETTINGS.CODES` |" in page


def test_links_to_files_outside_the_site_become_code():
    pages = {"docs/bulk.md": "guides/bulk.md"}
    text = "[bulk](docs/bulk.md#batch), [format](spec/README.md), [web](https://example.com/x.md)"
    assert _page_links(text, pages) == "[bulk](guides/bulk.md#batch), format (`spec/README.md`), [web](https://example.com/x.md)"
