"""export-rib and the annual overview's PDF: documents made from the sandbox's own accounts and payments."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.local_sandbox.money import money_world


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key) as made:
        yield made


def test_a_rib_names_the_holder_and_iban_and_goes_away_when_deleted(world) -> None:
    alice, bob = world.alice, world.bob
    rib_id = alice.create("export-rib", None)
    assert [item["ExportRib"]["id"] for item in alice.get("export-rib")] == [rib_id]
    assert alice.get(f"export-rib/{rib_id}")[0]["ExportRib"]["created"]
    pdf = alice.call("GET", f"export-rib/{rib_id}/content")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4") and alice.iban.encode() in pdf.content
    assert b"BUNQNL2A" in pdf.content
    assert (
        bob.call(
            "GET", f"user/{bob.h.user_id}/monetary-account/{alice.h.account_id}/export-rib/{rib_id}"
        ).status_code
        == 404
    )
    assert bob.call("GET", f"export-rib/{rib_id}/content").status_code == 404
    alice.ok("DELETE", f"export-rib/{rib_id}")
    assert alice.get("export-rib") == []


def test_the_annual_overview_sums_the_years_payments(world) -> None:
    alice, bob = world.alice, world.bob
    alice.fund("120.00")
    user = f"user/{alice.h.user_id}"
    year = dt.datetime.now(dt.UTC).year
    overview = alice.create(f"{user}/export-annual-overview", {"year": year})
    pdf = alice.call("GET", f"{user}/export-annual-overview/{overview}/content")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-1.4")
    assert b"In:          120.00 EUR" in pdf.content and alice.iban.encode() in pdf.content
    empty = alice.create(f"{user}/export-annual-overview", {"year": year - 1})
    assert (
        b"In:            0.00 EUR"
        in alice.call("GET", f"{user}/export-annual-overview/{empty}/content").content
    )
    theirs = bob.call("GET", f"user/{bob.h.user_id}/export-annual-overview/{overview}/content")
    assert theirs.status_code == 404
