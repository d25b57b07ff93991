"""Statement exports: the period's payments as a real CSV, MT940 and PDF, with balances that add up."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from bunq_helpers.crypto import signing
from tests.helpers import Handshake, Raw, error_of
from tests.local_sandbox.money import Clock, fund, pay

FIRST_DAY = dt.datetime(2030, 3, 1, 10, 0, tzinfo=dt.timezone.utc).timestamp()
DAY = 86_400
RENT = "NL91ABNA0417164300"


pytestmark = pytest.mark.sandbox_options(sugardaddy_delay=0, moved_clock=True)


@pytest.fixture
def clock() -> Clock:
    return Clock(FIRST_DAY)


@pytest.fixture
def booked(raw: Raw, client_key, clock: Clock) -> Handshake:
    """Payments on 1, 3 and 5 March 2030: 90.00 before the 2nd, -25.50 and +40.00 on the 3rd, -1.00 on the 5th."""
    done = raw.handshake(client_key)
    fund(raw, done, "100.00")
    assert pay(raw, done, "10.00", RENT).status_code == 200
    clock.now += 2 * DAY - 3600
    assert pay(raw, done, "25.50", RENT, description="Rent (März); flat 2").status_code == 200
    fund(raw, done, "40.00")
    clock.now += 2 * DAY
    assert pay(raw, done, "1.00", RENT).status_code == 200
    return done


def _export(raw: Raw, done: Handshake, statement_format: str, **extra) -> tuple[int, bytes, str]:
    base = f"user/{done.user_id}/monetary-account/{done.account_id}/customer-statement"
    body = {
        "statement_format": statement_format,
        "date_start": "2030-03-02",
        "date_end": "2030-03-04",
        **extra,
    }
    created = raw.call("POST", base, body, token=done.session_token)
    assert created.status_code == 200, created.text
    statement_id = created.json()["Response"][0]["Id"]["id"]
    content = raw.call("GET", f"{base}/{statement_id}/content", token=done.session_token)
    assert content.status_code == 200
    assert signing.verify_body(done.server_key, content.content, content.headers["X-Bunq-Server-Signature"])
    return statement_id, content.content, content.headers["Content-Type"]


def test_csv_has_the_periods_payments(raw: Raw, booked: Handshake) -> None:
    _, body, content_type = _export(raw, booked, "CSV", regional_format="UK_US")
    assert content_type == "text/csv"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["Date", "Interest Date", "Amount", "Account", "Counterparty", "Name", "Description"]
    assert [(r[0], r[2], r[4], r[6]) for r in rows[1:]] == [
        ("2030-03-03", "-25.50", RENT, "Rent (März); flat 2"),
        ("2030-03-03", "40.00", "NL65BUNQ9900000188", "test money"),
    ]
    _, european, _ = _export(raw, booked, "CSV", regional_format="EUROPEAN")
    rows = list(csv.reader(io.StringIO(european.decode("utf-8")), delimiter=";"))
    assert [r[2] for r in rows[1:]] == ["-25,50", "40,00"]


def test_mt940_follows_the_swift_layout_and_adds_up(raw: Raw, booked: Handshake) -> None:
    _, body, content_type = _export(raw, booked, "MT940")
    assert content_type == "text/plain"
    text = body.decode("ascii")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    tags = [re.match(r"^:(\w+):", line).group(1) for line in lines if line.startswith(":")]
    assert tags == ["20", "25", "28C", "60F", "61", "86", "61", "86", "62F"]
    iban = next(line for line in lines if line.startswith(":25:"))[4:]
    assert re.fullmatch(r"NL\d\dBUNQ\d{10}", iban)
    assert lines[2] == ":28C:1/1"

    def balance(tag: str) -> tuple[str, str, Decimal]:
        line = next(line for line in lines if line.startswith(f":{tag}:"))
        mark, date, currency, value = re.fullmatch(r":\w+:([CD])(\d{6})([A-Z]{3})([\d,]+)", line).groups()
        assert currency == "EUR"
        return mark, date, Decimal(value.replace(",", "."))

    assert balance("60F") == ("C", "300302", Decimal("90.00"))
    assert balance("62F") == ("C", "300304", Decimal("104.50"))
    moves = []
    for line in lines:
        if line.startswith(":61:"):
            date, entry, mark, value, rest = re.fullmatch(
                r":61:(\d{6})(\d{4})([CD])([\d,]+)(NTRF.*)", line
            ).groups()
            assert date == "300303" and entry == "0303" and rest.startswith("NTRFNONREF//")
            moves.append(Decimal(value.replace(",", ".")) * (-1 if mark == "D" else 1))
    assert moves == [Decimal("-25.50"), Decimal("40.00")]
    assert Decimal("90.00") + sum(moves) == Decimal("104.50")
    details = [line for line in lines if line.startswith(":86:")]
    assert details[0] == f":86:{RENT} Someone Rent (Marz) flat 2"  # SWIFT characters only
    assert all(len(line) <= 65 for line in lines)


def test_pdf_is_a_well_formed_pdf(raw: Raw, booked: Handshake) -> None:
    _, body, content_type = _export(raw, booked, "PDF")
    assert content_type == "application/pdf"
    assert body.startswith(b"%PDF-1.4\n") and body.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\n(\d+)\n", body).group(1))
    assert body[start:].startswith(b"xref\n")
    count = int(re.match(rb"xref\n0 (\d+)\n", body[start:]).group(1))
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n \n", body[start:])]
    assert len(offsets) == count - 1
    for number, offset in enumerate(offsets, start=1):
        assert body[offset:].startswith(b"%d 0 obj\n" % number)
    for length, stream in re.findall(rb"<< /Length (\d+) >>\nstream\n(.*?)\nendstream", body, re.S):
        assert int(length) == len(stream)
    assert b"(Opening balance: 90.00 EUR) Tj" in body and b"(Closing balance: 104.50 EUR) Tj" in body
    assert b"Rent \\(M\xe4rz\\)" in body  # cp1252 text, parentheses escaped


def test_list_read_delete_and_errors(raw: Raw, booked: Handshake, client_key) -> None:
    first, _, _ = _export(raw, booked, "MT940")
    second, _, _ = _export(raw, booked, "PDF")
    base = f"user/{booked.user_id}/monetary-account/{booked.account_id}/customer-statement"
    listed = raw.call("GET", base, token=booked.session_token).json()["Response"]
    assert [item["CustomerStatement"]["id"] for item in listed] == [second, first]
    one = raw.call("GET", f"{base}/{first}", token=booked.session_token).json()["Response"][0][
        "CustomerStatement"
    ]
    assert one["statement_format"] == "MT940" and one["statement_number"] == 1 and one["status"] == "DONE"
    assert one["date_start"] == "2030-03-02" and one["date_end"] == "2030-03-04"
    assert one["alias_monetary_account"]["iban"].startswith("NL")
    assert listed[0]["CustomerStatement"]["statement_number"] == 2

    deleted = raw.call("DELETE", f"{base}/{first}", token=booked.session_token)
    assert deleted.status_code == 200 and deleted.json() == {"Response": []}
    gone = raw.call("GET", f"{base}/{first}/content", token=booked.session_token)
    assert gone.status_code == 404 and "CustomerStatement with id" in error_of(gone)

    for body, message in [
        (
            {"statement_format": "XLS", "date_start": "2030-03-01", "date_end": "2030-03-02"},
            '"statement_format" must be one of',
        ),
        (
            {"statement_format": "CSV", "date_start": "2030-03-01", "date_end": "2030-03-02"},
            '"regional_format" is required',
        ),
        (
            {"statement_format": "MT940", "date_start": "2030-03-05", "date_end": "2030-03-02"},
            'is before "date_start"',
        ),
        (
            {"statement_format": "MT940", "date_start": "01-03-2030", "date_end": "2030-03-02"},
            '"date_start" must be a date',
        ),
        (
            {"statement_format": "MT940", "date_start": "٢٠٣٠-٠٣-٠١", "date_end": "2030-03-02"},
            '"date_start" must be a date',
        ),
        ({"statement_format": "MT940", "date_start": "2030-03-01"}, '"date_end" is required'),
    ]:
        response = raw.call("POST", base, body, token=booked.session_token)
        assert response.status_code == 400 and message in error_of(response), (body, response.text)

    other = raw.handshake(client_key)
    theirs = raw.call(
        "GET",
        f"user/{other.user_id}/monetary-account/{other.account_id}/customer-statement/{second}",
        token=other.session_token,
    )
    assert theirs.status_code == 404
