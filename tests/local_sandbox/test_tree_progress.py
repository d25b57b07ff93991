"""``tree-progress``: one tree per full 100.00 EUR paid to others, and the percentage towards the next."""

from __future__ import annotations

import pytest

from tests.helpers import Handshake, Raw, error_of
from tests.local_sandbox.money import fund, iban_of, pay

OTHER_IBAN = "NL35BUNQ9900341392"


pytestmark = pytest.mark.sandbox_options(sugardaddy_delay=0)


def _progress(raw: Raw, done: Handshake) -> dict:
    response = raw.call("GET", f"user/{done.user_id}/tree-progress", token=done.session_token)
    assert response.status_code == 200, response.text
    [item] = response.json()["Response"]
    return item["TreeProgress"]


def test_trees_follow_what_the_user_pays_to_others(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    first = _progress(raw, done)
    assert (first["number_of_tree"], first["progress_tree_next"]) == (0, 0)
    assert first["label_user"]["display_name"] and first["url_invite_profile"].startswith(
        "https://bunq.com/invite/"
    )

    fund(raw, done, "400.00")  # money coming in plants nothing
    assert _progress(raw, done)["number_of_tree"] == 0
    assert pay(raw, done, "150.00", OTHER_IBAN).status_code == 200
    progress = _progress(raw, done)
    assert (progress["number_of_tree"], progress["progress_tree_next"]) == (1, 50)

    created = raw.call(
        "POST",
        f"user/{done.user_id}/monetary-account-bank",
        {"currency": "EUR", "description": "Savings pot"},
        token=done.session_token,
    )
    own_id = created.json()["Response"][0]["Id"]["id"]
    own = raw.call("GET", f"user/{done.user_id}/monetary-account-bank/{own_id}", token=done.session_token)
    own_iban = iban_of(own.json()["Response"][0]["MonetaryAccountBank"])
    assert pay(raw, done, "100.00", own_iban).status_code == 200  # to one's own account: no tree
    assert (_progress(raw, done)["number_of_tree"], _progress(raw, done)["progress_tree_next"]) == (1, 50)

    assert pay(raw, done, "49.99", OTHER_IBAN).status_code == 200
    assert (_progress(raw, done)["number_of_tree"], _progress(raw, done)["progress_tree_next"]) == (1, 99)
    assert pay(raw, done, "0.01", OTHER_IBAN).status_code == 200
    assert (_progress(raw, done)["number_of_tree"], _progress(raw, done)["progress_tree_next"]) == (2, 0)


def test_another_users_tree_progress_is_not_found(raw: Raw, client_key) -> None:
    mine, theirs = raw.handshake(client_key), raw.handshake(client_key)
    answer = raw.call("GET", f"user/{theirs.user_id}/tree-progress", token=mine.session_token)
    assert answer.status_code == 404 and "User" in error_of(answer)
