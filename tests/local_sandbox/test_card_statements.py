"""A card's statement exports (CSV and PDF) and a payment's own statement through its event."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from tests.conftest import Raw, error_of
from tests.local_sandbox.money import fund, money_world
from tests.local_sandbox.test_cards import _order


def test_card_statements_are_made_listed_read_and_deleted_per_kind(raw: Raw, client_key) -> None:
    done, other = raw.handshake(client_key), raw.handshake(client_key)
    card = _order(raw, done)
    base = f"user/{done.user_id}/card/{card['id']}"
    period = {"date_start": "2027-01-01", "date_end": "2027-01-31"}
    csv = raw.call(
        "POST",
        f"{base}/export-statement-card-csv",
        {**period, "regional_format": "EUROPEAN"},
        token=done.session_token,
    )
    assert csv.status_code == 200, csv.text
    csv_id = csv.json()["Response"][0]["Id"]["id"]
    pdf_id = raw.call("POST", f"{base}/export-statement-card-pdf", period, token=done.session_token).json()[
        "Response"
    ][0]["Id"]["id"]
    listed = raw.call("GET", f"{base}/export-statement-card", token=done.session_token).json()["Response"]
    assert [item["ExportStatementCard"]["id"] for item in listed] == [pdf_id, csv_id]
    only_csv = raw.call("GET", f"{base}/export-statement-card-csv", token=done.session_token).json()[
        "Response"
    ]
    assert [item["ExportStatementCardCsv"]["id"] for item in only_csv] == [csv_id]
    shown = only_csv[0]["ExportStatementCardCsv"]
    assert (shown["card_id"], shown["date_start"], shown["regional_format"], shown["status"]) == (
        card["id"],
        "2027-01-01",
        "EUROPEAN",
        "DONE",
    )
    assert (
        raw.call("GET", f"{base}/export-statement-card-pdf/{csv_id}", token=done.session_token).status_code
        == 404
    )
    one = raw.call("GET", f"{base}/export-statement-card/{pdf_id}", token=done.session_token).json()[
        "Response"
    ]
    assert one[0]["ExportStatementCard"]["id"] == pdf_id
    csv_read = raw.call("GET", f"{base}/export-statement-card-csv/{csv_id}", token=done.session_token)
    assert csv_read.json()["Response"][0]["ExportStatementCardCsv"]["regional_format"] == "EUROPEAN"
    pdfs = raw.call("GET", f"{base}/export-statement-card-pdf", token=done.session_token).json()["Response"]
    assert [item["ExportStatementCardPdf"]["id"] for item in pdfs] == [pdf_id]
    pdf_read = raw.call("GET", f"{base}/export-statement-card-pdf/{pdf_id}", token=done.session_token)
    assert pdf_read.json()["Response"][0]["ExportStatementCardPdf"]["date_end"] == "2027-01-31"
    pdf = raw.call("GET", f"{base}/export-statement-card/{pdf_id}/content", token=done.session_token)
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-1.4")
    assert card["name_on_card"].encode() in pdf.content
    text = raw.call("GET", f"{base}/export-statement-card/{csv_id}/content", token=done.session_token)
    assert text.headers["Content-Type"].startswith("text/csv") and text.content
    theirs = raw.call(
        "GET", f"user/{other.user_id}/card/{card['id']}/export-statement-card", token=other.session_token
    )
    assert theirs.status_code == 404 and "Card" in error_of(theirs)
    assert (
        raw.call("DELETE", f"{base}/export-statement-card-csv/{csv_id}", token=done.session_token).status_code
        == 200
    )
    assert (
        len(raw.call("GET", f"{base}/export-statement-card", token=done.session_token).json()["Response"])
        == 1
    )
    gone = raw.call("DELETE", f"{base}/export-statement-card-pdf/{pdf_id}", token=done.session_token)
    assert gone.status_code == 200
    assert raw.call("GET", f"{base}/export-statement-card", token=done.session_token).json()["Response"] == []
    bad = raw.call("POST", f"{base}/export-statement-card-csv", period, token=done.session_token)
    assert bad.status_code == 400 and "regional_format" in error_of(bad)
    backwards = {"date_start": "2027-02-01", "date_end": "2027-01-01"}
    assert (
        raw.call("POST", f"{base}/export-statement-card-pdf", backwards, token=done.session_token).status_code
        == 400
    )


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key) as made:
        yield made


def test_a_payments_event_gives_its_statement(world) -> None:
    alice, bob = world.alice, world.bob
    alice.fund("30.00")
    alice.ok(
        "POST",
        "payment",
        {
            "amount": {"value": "7.25", "currency": "EUR"},
            "counterparty_alias": {"type": "IBAN", "value": bob.iban, "name": "Bob"},
            "description": "lunch",
        },
        signed=True,
    )
    events = alice.get(f"user/{alice.h.user_id}/event")
    paid = next(
        e["Event"] for e in events if e["Event"]["object"].get("Payment", {}).get("description") == "lunch"
    )
    statement_id = alice.create(f"event/{paid['id']}/statement", None)
    shown = alice.get(f"event/{paid['id']}/statement/{statement_id}")[0]["ExportStatementPayment"]
    assert shown["id"] == statement_id and shown["status"] == "DONE"
    pdf = alice.call("GET", f"event/{paid['id']}/statement/{statement_id}/content")
    assert pdf.content.startswith(b"%PDF-1.4") and b"-7.25 EUR" in pdf.content and b"lunch" in pdf.content
    other = next(e["Event"] for e in events if e["Event"]["object"].get("RequestInquiry"))
    assert "only a payment" in alice.fails("POST", f"event/{other['id']}/statement", None)
    assert (
        bob.call(
            "GET",
            f"user/{bob.h.user_id}/monetary-account/{bob.h.account_id}/event/{paid['id']}/statement/{statement_id}",
        ).status_code
        == 404
    )


def test_a_card_statement_lists_the_cards_payments_in_its_period(world) -> None:
    raw, done = world.alice.raw, world.alice.h
    fund(raw, done, "50.00")
    card = _order(raw, done)
    sandbox = raw.sandbox
    for merchant, decision in (("Corner Bakery", "ALLOWED"), ("Blocked Shop", "MERCHANT_BLOCKED")):
        paid = requests.post(
            sandbox.sandbox_url + "trigger/card-payment",
            json={
                "account_id": done.account_id,
                "amount": "3.20",
                "merchant": merchant,
                "decision": decision,
            },
            verify=sandbox.ca_file,
            timeout=30,
        )
        assert paid.status_code == 200, paid.text
    base = f"user/{done.user_id}/card/{card['id']}"
    today = dt.datetime.now(dt.UTC).date()
    period = {"date_start": (today - dt.timedelta(days=1)).isoformat(), "date_end": today.isoformat()}
    made = raw.call(
        "POST",
        f"{base}/export-statement-card-csv",
        {**period, "regional_format": "UK_US"},
        token=done.session_token,
    )
    csv_id = made.json()["Response"][0]["Id"]["id"]
    text = raw.call("GET", f"{base}/export-statement-card/{csv_id}/content", token=done.session_token).text
    assert "Corner Bakery" in text and "-3.20" in text and "Blocked Shop" not in text
    earlier = {"date_start": "2001-01-01", "date_end": "2001-01-31", "regional_format": "UK_US"}
    old_id = raw.call("POST", f"{base}/export-statement-card-csv", earlier, token=done.session_token).json()[
        "Response"
    ][0]["Id"]["id"]
    assert (
        "Corner Bakery"
        not in raw.call(
            "GET", f"{base}/export-statement-card/{old_id}/content", token=done.session_token
        ).text
    )
