"""Transaction categories: bunq's own (a stand-in list), then the ones the user defines."""

from __future__ import annotations

from bunq_helpers.local_sandbox.endpoints.transaction_categories import SYSTEM
from tests.conftest import error_of


def test_a_defined_category_is_listed_after_bunqs(raw, client_key) -> None:
    done, other = raw.handshake(client_key), raw.handshake(client_key)
    base = f"user/{done.user_id}/additional-transaction-information-category"

    def listed(user_id: int, token: str) -> list[dict]:
        answer = raw.call(
            "GET", f"user/{user_id}/additional-transaction-information-category?count=200", token=token
        )
        assert answer.status_code == 200, answer.text
        return [item["AdditionalTransactionInformationCategory"] for item in answer.json()["Response"]]

    assert [item["category"] for item in listed(done.user_id, done.session_token)] == [c[0] for c in SYSTEM]
    made = raw.call(
        "POST",
        f"{base}-user-defined",
        {"status": "ACTIVE", "description": "Pet food", "color": "#123456"},
        token=done.session_token,
    )
    assert made.status_code == 200, made.text
    *_, mine = listed(done.user_id, done.session_token)
    assert (mine["category"], mine["type"], mine["status"], mine["color"], mine["order"]) == (
        "PET_FOOD",
        "USER_DEFINED",
        "ACTIVE",
        "#123456",
        len(SYSTEM) + 1,
    )
    assert len(listed(other.user_id, other.session_token)) == len(SYSTEM)
    bad = raw.call(
        "POST", f"{base}-user-defined", {"status": "MAYBE", "category": "X"}, token=done.session_token
    )
    assert bad.status_code == 400 and "ACTIVE" in error_of(bad)
    theirs = raw.call(
        "GET", f"user/{other.user_id}/additional-transaction-information-category", token=done.session_token
    )
    assert theirs.status_code == 404
