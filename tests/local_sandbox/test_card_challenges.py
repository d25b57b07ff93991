"""``challenge-request``: a 3-D Secure check (made by ``/_sandbox/trigger/card-payment`` with
``identity_check``) read and answered by the card holder; ACCEPTED pays the shop, REJECTED and EXPIRED
book nothing, and it is the holder's own only."""

from __future__ import annotations

import pytest

from tests.local_sandbox.test_sandbox_api import api

pytestmark = pytest.mark.sandbox_options(moved_clock=True)


def _challenge(world, value: str = "12.00") -> int:
    alice = world.alice
    params = {
        "account_id": alice.h.account_id,
        "amount": value,
        "merchant": "Web Shop",
        "identity_check": True,
    }
    made = api(world.sandbox, "POST", "trigger/card-payment", params)
    assert made.status_code == 200, made.text
    return made.json()["made"]["MasterCardIdentityCheckChallengeRequest"]["id"]


def _path(world, challenge_id: int) -> str:
    return f"user/{world.alice.h.user_id}/challenge-request/{challenge_id}"


def test_accepting_a_challenge_pays_the_shop_once(world) -> None:
    alice = world.alice
    alice.fund("50.00")
    mark = alice.last_event_id()
    challenge_id = _challenge(world)
    assert alice.balance() == "50.00" and alice.get("mastercard-action") == []  # nothing decided yet
    [read] = alice.get(_path(world, challenge_id))
    shown = read["MasterCardIdentityCheckChallengeRequest"]
    assert shown["status"] == "PENDING" and shown["amount"] == "12.00" and shown["description"] == "Web Shop"
    assert shown["counterparty_alias"]["display_name"] == "Web Shop" and shown["expiry_time"]
    assert alice.events(mark) == [("MasterCardIdentityCheckChallengeRequest", "CREATE")]
    assert shown["event_id"] == mark + 1
    answered = alice.ok("PUT", _path(world, challenge_id), {"status": "ACCEPTED"})
    assert answered == [{"Id": {"id": challenge_id}}]
    assert alice.balance() == "38.00"
    [action] = alice.get("mastercard-action")
    assert action["MasterCardAction"]["decision"] == "ALLOWED"
    assert (
        alice.get(_path(world, challenge_id))[0]["MasterCardIdentityCheckChallengeRequest"]["status"]
        == "ACCEPTED"
    )
    assert "ACCEPTED; only a PENDING one" in alice.fails(
        "PUT", _path(world, challenge_id), {"status": "ACCEPTED"}
    )
    assert alice.balance() == "38.00"


def test_rejected_and_expired_challenges_book_nothing(world) -> None:
    alice = world.alice
    alice.fund("50.00")
    rejected, expired = _challenge(world), _challenge(world)
    alice.ok("PUT", _path(world, rejected), {"status": "REJECTED"})
    world.clock.now += 601
    [read] = alice.get(_path(world, expired))
    assert read["MasterCardIdentityCheckChallengeRequest"]["status"] == "EXPIRED"
    assert "EXPIRED" in alice.fails("PUT", _path(world, expired), {"status": "ACCEPTED"})
    assert '"status"' in alice.fails("PUT", _path(world, rejected), {"status": "MAYBE"})
    assert alice.balance() == "50.00" and alice.get("mastercard-action") == []


def test_another_users_challenge_is_404(world) -> None:
    challenge_id = _challenge(world)
    bob = world.bob
    theirs = f"user/{bob.h.user_id}/challenge-request/{challenge_id}"
    expected = f"MasterCardIdentityCheckChallengeRequestUser with id {challenge_id} not found."
    assert bob.fails("GET", theirs, status=404) == expected
    assert bob.fails("PUT", theirs, {"status": "ACCEPTED"}, status=404) == expected
    assert bob.fails("GET", _path(world, challenge_id), status=404).startswith("User with id")
