"""A few things the demo's people do from start to end, in the browser."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from playwright.sync_api import expect

from tests.browser.conftest import AGENT_EMAILS, DESKTOP, INTERNAL_EMAILS, PHONE, Watched

TIMEOUT = 30_000


def test_a_buyer_imports_a_spend_file_and_watches_it_finish(signed_in: Callable[..., Watched]) -> None:
    watched = signed_in(INTERNAL_EMAILS["buyer"])
    page = watched.page
    page.goto("/t/acme/spend/imports/")
    template = page.context.request.get("/t/acme/spend/imports/template.csv").text()
    header, example = template.strip().splitlines()[:2]
    run = uuid.uuid4().hex[:8]  # new invoices, whatever ran before on this server
    rows = [example.replace("INV-1001", f"INV-{run}-{i:03}") for i in range(40)]
    page.goto("/t/acme/spend/imports/upload/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "browser.csv", "mimeType": "text/csv", "buffer": "\n".join([header, *rows]).encode()}],
    )
    page.click("form .btn-primary")
    page.wait_for_url(re.compile(r"/spend/imports/[0-9a-f-]{36}/$"))
    # The page follows the import by itself until the counts are in.
    added = page.locator(".stat", has_text="Lines added").locator(".stat-value")
    expect(added).to_have_text("40", timeout=TIMEOUT)
    expect(page.locator("#import-progress")).to_have_count(0)
    assert watched.take_errors() == []


def test_a_large_import_shows_its_progress_while_it_runs(signed_in: Callable[..., Watched]) -> None:
    watched = signed_in(INTERNAL_EMAILS["buyer"])
    page = watched.page
    template = page.context.request.get("/t/acme/spend/imports/template.csv").text()
    header, example = template.strip().splitlines()[:2]
    run = uuid.uuid4().hex[:8]
    rows = [example.replace("INV-1001", f"INV-{run}-{i:06}") for i in range(30_000)]
    page.goto("/t/acme/spend/imports/upload/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "large.csv", "mimeType": "text/csv", "buffer": "\n".join([header, *rows]).encode()}],
    )
    page.click("form .btn-primary")
    page.wait_for_url(re.compile(r"/spend/imports/[0-9a-f-]{36}/$"))
    # The page answered before the import ended: the bar is there, and it counts the rows as they go.
    expect(page.locator("#import-progress progress")).to_have_count(1)
    expect(page.locator("#import-progress")).to_contain_text(re.compile(r"of 30,000 rows"), timeout=TIMEOUT)
    added = page.locator(".stat", has_text="Lines added").locator(".stat-value")
    expect(added).to_have_text("30,000", timeout=60_000)
    assert watched.take_errors() == []


def test_finance_exports_the_spend_lines_and_downloads_the_file(signed_in: Callable[..., Watched]) -> None:
    watched = signed_in(INTERNAL_EMAILS["finance"])
    page = watched.page
    page.goto("/t/acme/spend/lines/")
    page.click("form.export-links button[value=csv]")
    page.wait_for_url(re.compile(r"/exports/[0-9a-f-]{36}/$"))
    download_button = page.get_by_role("link", name=re.compile("Download"))
    expect(download_button).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        download_button.click()
    path = download.value.path()
    with open(path, encoding="utf-8-sig") as exported:
        assert exported.readline().startswith('"Invoice date","Invoice number","Vendor"')
    assert watched.take_errors() == []


def test_an_agent_proposes_a_supplier_in_chinese(signed_in: Callable[..., Watched]) -> None:
    watched = signed_in(AGENT_EMAILS[0], "zh-CN")
    page = watched.page
    page.goto("/t/acme/portal/")
    page.select_option("#lang-select", "zh-hans")
    page.click(".lang-switch button")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto("/t/acme/portal/suppliers/propose/")
    expect(page.locator("h1")).to_have_text("提议供应商")
    page.fill("input[name=legal_name]", "Wenzhou Brightway Hardware Co., Ltd.")
    page.fill("input[name=local_name]", "温州明途五金有限公司")
    page.fill("input[name=country]", "CN")
    page.fill("input[name=city]", "Wenzhou")
    page.click("form .btn-primary")
    if page.locator("input[name=allow_duplicates]").count():  # proposed on this server before: confirm
        page.check("input[name=allow_duplicates]")
        page.click("form .btn-primary")
    # a reader of Chinese reads the registered Chinese name first, the English one under it
    expect(page.locator(".alert-success")).to_contain_text("已提议 温州明途五金有限公司")
    expect(page.locator("h1")).to_contain_text("温州明途五金有限公司")
    expect(page.locator(".page-header")).to_contain_text("Wenzhou Brightway Hardware Co., Ltd.")
    assert watched.take_errors() == []


def test_a_bank_change_takes_effect_when_a_second_person_approves_it(signed_in: Callable[..., Watched]) -> None:
    finance = signed_in(INTERNAL_EMAILS["finance"]).page
    finance.goto("/t/acme/suppliers/?q=Yiwu+Sunrise")
    finance.get_by_role("link", name="Yiwu Sunrise Trading Co., Ltd.").first.click()
    bank_url = finance.url.split("?")[0].rstrip("/") + "/bank/"
    finance.goto(bank_url)
    finance.get_by_role("link", name=re.compile("Add bank details|Request a change")).click()
    finance.fill("input[name=account_name]", "Yiwu Sunrise Trading Co., Ltd.")
    finance.fill("input[name=bank_name]", "Bank of China Yiwu Branch")
    finance.fill("input[name=account_number]", "6217 0000 1234 5678")
    finance.fill("input[name=swift_code]", "BKCHCNBJ")
    finance.fill("input[name=currency]", "CNY")
    finance.click("form .btn-primary")
    expect(finance.locator(".alert-success")).to_contain_text("Another person must approve it")
    # The person who asked cannot approve their own change.
    expect(finance.get_by_role("button", name="Approve")).to_have_count(0)

    admin = signed_in(INTERNAL_EMAILS["admin"]).page
    admin.goto(bank_url)
    admin.get_by_role("button", name="Approve").click()
    expect(admin.locator(".alert-success")).to_contain_text("they are now the active ones")
    expect(admin.locator("main")).to_contain_text("Bank of China Yiwu Branch")
    expect(admin.locator("main")).to_contain_text("5678")


def test_an_agent_reads_the_assigned_suppliers_on_a_phone(signed_in: Callable[..., Watched]) -> None:
    watched = signed_in(AGENT_EMAILS[0], "zh-CN")
    page = watched.page
    page.set_viewport_size(PHONE)
    try:
        page.goto("/t/acme/portal/")
        # each supplier is a block whose status, type and place sit inside the screen, not in a column off it
        first = page.locator("table.table-stack tbody tr").first
        expect(first).to_be_visible()
        for cell in first.locator("td:not(.actions)").all():
            box = cell.bounding_box()
            assert box is not None and box["x"] + box["width"] <= PHONE["width"], cell.inner_text()
    finally:
        page.set_viewport_size(DESKTOP)
    assert watched.take_errors() == []
