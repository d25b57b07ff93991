"""Connect: Alice shares an account with Bob; Bob accepts, rejects or cancels; Alice revokes."""

from __future__ import annotations

import pytest

from tests.local_sandbox.money import money_world


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key) as made:
        yield made


def test_an_invite_is_accepted_then_revoked_and_both_sides_see_it(world) -> None:
    alice, bob = world.alice, world.bob
    invite_id = alice.create(
        "share-invite-monetary-account-inquiry",
        {"counter_user_alias": {"type": "EMAIL", "value": bob.email}, "access_type": "VIEW_BALANCE"},
    )
    [item] = alice.get("share-invite-monetary-account-inquiry")
    inquiry = item["ShareInviteMonetaryAccountInquiry"]
    assert (inquiry["id"], inquiry["status"], inquiry["monetary_account_id"]) == (
        invite_id,
        "PENDING",
        alice.h.account_id,
    )
    assert inquiry["counter_user_alias"]["display_name"] and inquiry["alias"]["iban"] == alice.iban
    responses = f"user/{bob.h.user_id}/share-invite-monetary-account-response"
    [item] = bob.get(responses)
    response = item["ShareInviteMonetaryAccountResponse"]
    assert (response["id"], response["status"], response["monetary_account_id"]) == (
        invite_id,
        "PENDING",
        None,
    )
    assert response["counter_alias"]["iban"] == alice.iban and "read_only" in response["share_detail"]

    bob.ok("PUT", f"{responses}/{invite_id}", {"status": "ACCEPTED"})
    accepted = bob.get(f"{responses}/{invite_id}")[0]["ShareInviteMonetaryAccountResponse"]
    assert (accepted["status"], accepted["monetary_account_id"]) == ("ACCEPTED", alice.h.account_id)
    assert (
        alice.get(f"share-invite-monetary-account-inquiry/{invite_id}")[0][
            "ShareInviteMonetaryAccountInquiry"
        ]["status"]
        == "ACCEPTED"
    )
    assert "can become CANCELLED" in bob.fails("PUT", f"{responses}/{invite_id}", {"status": "REJECTED"})

    alice.ok("PUT", f"share-invite-monetary-account-inquiry/{invite_id}", {"status": "REVOKED"})
    revoked = bob.get(f"{responses}/{invite_id}")[0]["ShareInviteMonetaryAccountResponse"]
    assert revoked["status"] == "REVOKED" and revoked["user_alias_cancelled"]["display_name"]
    assert "ShareInviteMonetaryAccountInquiry" in [kind for kind, _ in alice.events()]


def test_invites_need_a_known_user_and_stay_with_the_two_users(world) -> None:
    alice, bob = world.alice, world.bob
    path = "share-invite-monetary-account-inquiry"
    assert "names no sandbox user" in alice.fails(
        "POST",
        path,
        {
            "counter_user_alias": {"type": "EMAIL", "value": "nobody@example.com"},
            "access_type": "FULL_TRANSIENT",
        },
    )
    assert "yourself" in alice.fails(
        "POST",
        path,
        {"counter_user_alias": {"type": "EMAIL", "value": alice.email}, "access_type": "FULL_TRANSIENT"},
    )
    assert "access_type" in alice.fails(
        "POST", path, {"counter_user_alias": {"type": "EMAIL", "value": bob.email}}
    )
    invite_id = alice.create(
        path,
        {
            "counter_user_alias": {"type": "EMAIL", "value": bob.email},
            "share_detail": {"payment": {"make_payments": True}},
        },
    )
    assert (
        alice.get(f"{path}/{invite_id}")[0]["ShareInviteMonetaryAccountInquiry"]["access_type"]
        == "FULL_TRANSIENT"
    )
    assert (
        bob.call(
            "GET", f"user/{bob.h.user_id}/monetary-account/{alice.h.account_id}/{path}/{invite_id}"
        ).status_code
        == 404
    )
    assert (
        alice.call(
            "GET", f"user/{alice.h.user_id}/share-invite-monetary-account-response/{invite_id}"
        ).status_code
        == 404
    )
    responses = f"user/{bob.h.user_id}/share-invite-monetary-account-response"
    bob.ok("PUT", f"{responses}/{invite_id}", {"status": "REJECTED"})
    assert "can become nothing" in bob.fails("PUT", f"{responses}/{invite_id}", {"status": "ACCEPTED"})
