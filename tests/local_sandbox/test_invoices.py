"""bunq's invoices: none for a fresh sandbox user (bunq bills monthly), so empty lists and bunq's 404s; a
billing run (``/_sandbox/trigger/invoice``) makes one, paid from the account, with its PDF and exports."""

from __future__ import annotations

from bunq_helpers.local_sandbox.callback_categories import notifications_for
from bunq_helpers.local_sandbox.events import Event
from tests.helpers import Raw, error_of
from tests.local_sandbox.money import euros
from tests.local_sandbox.test_sandbox_api import api


def test_a_sandbox_user_has_no_invoice_to_list_read_or_export(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    for path in (
        f"user/{done.user_id}/invoice",
        f"user/{done.user_id}/monetary-account/{done.account_id}/invoice",
    ):
        listed = raw.call("GET", path, token=done.session_token)
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert body["Response"] == [] and body["Pagination"]["future_url"] is not None
    for path in (
        f"user/{done.user_id}/invoice/7",
        f"user/{done.user_id}/invoice/7/pdf-content",
        f"user/{done.user_id}/monetary-account/{done.account_id}/invoice/7",
    ):
        answer = raw.call("GET", path, token=done.session_token)
        assert answer.status_code == 404 and "Invoice" in error_of(answer) and "7" in error_of(answer)


def test_another_users_invoices_are_not_found(raw: Raw, client_key) -> None:
    mine, theirs = raw.handshake(client_key), raw.handshake(client_key)
    for path in (
        f"user/{theirs.user_id}/invoice",
        f"user/{theirs.user_id}/invoice/1/pdf-content",
        f"user/{mine.user_id}/monetary-account/{theirs.account_id}/invoice",
    ):
        answer = raw.call("GET", path, token=mine.session_token)
        assert answer.status_code == 404, answer.text
        assert "Invoice" not in error_of(answer)  # the user or account is what is not found


def _bill(world, value: str):
    body = {"account_id": world.alice.h.account_id, "amount": value}
    return api(world.sandbox, "POST", "trigger/invoice", body)


def test_a_billing_run_makes_a_paid_invoice_its_payment_and_event(world) -> None:
    alice = world.alice
    alice.fund("20.00")
    mark = alice.last_event_id()
    made = _bill(world, "9.99")
    assert made.status_code == 200, made.text
    invoice_id = made.json()["made"]["Invoice"]["id"]
    assert alice.balance() == "10.01"
    assert alice.events(mark) == [("Payment", "CREATE"), ("Invoice", "CREATE")]
    paid = alice.payments()[0]
    assert (paid["amount"], paid["type"], paid["sub_type"]) == (euros("-9.99"), "BUNQ", "INVOICE")
    user = f"user/{alice.h.user_id}"
    [listed] = alice.get(f"{user}/invoice")
    shown = listed["Invoice"]
    assert shown["id"] == invoice_id and shown["status"] == "PAID" and shown["invoice_number"].endswith(".1")
    assert (shown["total_vat_inclusive"], shown["total_vat_exclusive"], shown["total_vat"]) == (
        euros("9.99"),
        euros("8.26"),
        euros("1.73"),
    )
    assert shown["alias"]["iban"] == alice.iban and shown["counterparty_alias"]["display_name"] == "bunq B.V."
    assert alice.get(f"{user}/invoice/{invoice_id}") == [listed] == alice.get("invoice")
    assert alice.get(f"invoice/{invoice_id}") == [listed]
    [event] = [e["Event"] for e in alice.get(f"{user}/event") if e["Event"]["object"] == listed]
    row = Event(event["id"], alice.h.user_id, alice.h.account_id, "CREATE", "Invoice", invoice_id, 0.0)
    assert notifications_for(row, listed) == [("BILLING", "INVOICE_CREATED")]  # its callback's category
    pdf = alice.call("GET", f"{user}/invoice/{invoice_id}/pdf-content")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"].startswith("application/pdf")
    assert pdf.content.startswith(b"%PDF") and shown["invoice_number"].encode() in pdf.content


def test_an_invoice_is_exported_read_made_again_and_deleted(world) -> None:
    alice = world.alice
    alice.fund("5.00")
    base = f"user/{alice.h.user_id}/invoice/{_bill(world, '1.00').json()['made']['Invoice']['id']}/invoice-export"
    export_id = alice.create(base, {})
    [read] = alice.get(f"{base}/{export_id}")
    assert read["InvoiceExportPdf"]["id"] == export_id and read["InvoiceExportPdf"]["status"] == "CREATED"
    assert alice.ok("PUT", f"{base}/{export_id}", {}) == [{"Id": {"id": export_id}}]
    assert alice.ok("DELETE", f"{base}/{export_id}") == []
    assert alice.fails("GET", f"{base}/{export_id}", status=404) == (
        f"InvoiceExportPdf with id {export_id} not found."
    )


def test_billing_needs_the_money_and_invoices_are_their_users_own(world) -> None:
    alice, bob = world.alice, world.bob
    before = world.sandbox.store.snapshot()
    refused = _bill(world, "1.00")
    assert refused.status_code == 400 and "does not cover this invoice" in error_of(refused)
    assert world.sandbox.store.snapshot() == before
    alice.fund("5.00")
    invoice_id = _bill(world, "1.00").json()["made"]["Invoice"]["id"]
    mine = f"user/{bob.h.user_id}/invoice/{invoice_id}"
    expected = f"Invoice with id {invoice_id} not found."
    assert bob.fails("GET", mine, status=404) == expected
    assert bob.fails("GET", f"{mine}/pdf-content", status=404) == expected
    assert bob.fails("POST", f"{mine}/invoice-export", {}, status=404) == expected
    assert bob.get(f"user/{bob.h.user_id}/invoice") == []
