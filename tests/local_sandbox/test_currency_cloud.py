"""Currencycloud through bunq: requirements, beneficiaries and payment fee quotes (a stand-in)."""

from __future__ import annotations

import pytest

from tests.local_sandbox.money import money_world


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key) as made:
        yield made


def test_a_beneficiary_is_made_from_the_listed_requirements(world) -> None:
    alice, base = world.alice, f"user/{world.alice.h.user_id}/currency-cloud-beneficiary"
    needs = [item["CurrencyCloudBeneficiaryRequirement"] for item in alice.get(f"{base}-requirement")]
    priority = next(
        n for n in needs if n["payment_type"] == "priority" and n["legal_entity_type"] == "company"
    )
    assert [field["name"] for field in priority["all_field"]] == ["account_number", "bic_swift"]
    body = {
        "name": "Acme Ltd",
        "country": "GB",
        "currency": "GBP",
        "legal_entity_type": "company",
        "payment_type": "priority",
        "all_field": ["account_number=GB29NWBK60161331926819"],
    }
    assert "bic_swift" in alice.fails("POST", base, body)
    made = alice.create(base, {**body, "all_field": [*body["all_field"], "bic_swift=NWBKGB2L"]})
    [read] = alice.get(f"{base}/{made}")
    shown = read["CurrencyCloudBeneficiary"]
    assert (shown["id"], shown["name"], shown["currency"], shown["account_number"]) == (
        made,
        "Acme Ltd",
        "GBP",
        "GB29NWBK60161331926819",
    )
    assert len(shown["external_identifier"]) == 36
    assert [item["CurrencyCloudBeneficiary"]["id"] for item in alice.get(base)] == [made]
    assert "payment_type" in alice.fails("POST", base, {**body, "payment_type": "express"})
    assert world.bob.fails("GET", f"user/{world.bob.h.user_id}/currency-cloud-beneficiary/{made}", status=404)
    assert world.bob.get(f"user/{world.bob.h.user_id}/currency-cloud-beneficiary") == []


def test_a_payment_quote_is_stored_per_account(world) -> None:
    alice = world.alice
    pointer = {"type": "IBAN", "value": "GB29NWBK60161331926819", "name": "Acme Ltd"}
    made = alice.create("currency-cloud-payment-quote", {"pointers": [pointer, pointer]})
    row = (
        world.sandbox.store.read()
        .execute("SELECT * FROM currency_cloud_payment_quotes WHERE id = ?", (made,))
        .fetchone()
    )
    assert (row["account_id"], row["amount_fee_cents"]) == (alice.h.account_id, 100)
    assert "pointers" in alice.fails("POST", "currency-cloud-payment-quote", {"pointers": []})
    other = f"user/{alice.h.user_id}/monetary-account/{world.bob.h.account_id}/currency-cloud-payment-quote"
    assert alice.fails("POST", other, {"pointers": [pointer]}, status=404)
