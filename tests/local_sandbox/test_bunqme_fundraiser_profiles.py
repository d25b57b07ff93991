"""bunq.me fundraiser profiles: one per open account of the user, derived from the account and user."""

from __future__ import annotations

import pytest

from tests.local_sandbox.money import money_world


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key) as made:
        yield made


def test_each_account_has_a_bunqme_page_and_others_are_not_found(world) -> None:
    alice, base = world.alice, f"user/{world.alice.h.user_id}/bunqme-fundraiser-profile"
    [only] = alice.get(base)
    profile = only["BunqMeFundraiserProfile"]
    nick = alice.get(f"user/{alice.h.user_id}")[0]["UserPerson"]["public_nick_name"]
    assert (profile["monetary_account_id"], profile["owner_user_id"]) == (alice.h.account_id, alice.h.user_id)
    assert profile["pointer"]["value"] == f"https://bunq.me/{nick}" and profile["alias"]["iban"] == alice.iban
    assert profile["status"] == "ACTIVE" and profile["currency"] == "EUR"
    second = alice.create(
        f"user/{alice.h.user_id}/monetary-account-bank", {"currency": "EUR", "description": "Trip"}
    )
    listed = [p["BunqMeFundraiserProfile"]["monetary_account_id"] for p in alice.get(base)]
    assert listed == [second, alice.h.account_id]
    [read] = alice.get(f"{base}/{second}")
    assert read["BunqMeFundraiserProfile"]["description"] == "Trip"
    assert "BunqMeFundraiserProfile" in alice.fails("GET", f"{base}/{world.bob.h.account_id}", status=404)
