"""card-batch, card replace and card-batch-replace: bulk changes, all or none; a new number under the same id."""

from __future__ import annotations

from tests.conftest import Raw, error_of
from tests.local_sandbox.test_cards import _order


def _card(raw: Raw, done, card_id: int) -> dict:
    answer = raw.call("GET", f"user/{done.user_id}/card/{card_id}", token=done.session_token)
    return answer.json()["Response"][0]["CardDebit" if "CardDebit" in answer.text else "Card"]


def _number(card: dict) -> tuple[str, str]:
    return card["primary_account_numbers"][0]["four_digit"], card["expiry_date"]


def test_a_batch_changes_every_card_or_none(raw: Raw, client_key) -> None:
    done, other = raw.handshake(client_key), raw.handshake(client_key)
    first, second = _order(raw, done), _order(raw, done)
    path = f"user/{done.user_id}/card-batch"
    cards = [
        {"id": first["id"], "status": "DEACTIVATED"},
        {"id": second["id"], "card_limit": {"value": "55.00", "currency": "EUR"}},
    ]
    answer = raw.call("POST", path, {"cards": cards}, token=done.session_token)
    assert answer.status_code == 200, answer.text
    assert answer.json()["Response"] == [
        {"CardBatch": {"updated_card_ids": [{"id": first["id"]}, {"id": second["id"]}]}}
    ]
    assert _card(raw, done, first["id"])["status"] == "DEACTIVATED"
    assert _card(raw, done, second["id"])["card_limit"]["value"] == "55.00"
    bad = [{"id": first["id"], "status": "ACTIVE"}, {"id": second["id"], "status": "BROKEN"}]
    refused = raw.call("POST", path, {"cards": bad}, token=done.session_token)
    assert refused.status_code == 400 and "status" in error_of(refused)
    assert _card(raw, done, first["id"])["status"] == "DEACTIVATED"  # the first entry did not stick either
    theirs = raw.call(
        "POST",
        f"user/{other.user_id}/card-batch",
        {"cards": [{"id": first["id"]}]},
        token=other.session_token,
    )
    assert theirs.status_code == 404 and "Card" in error_of(theirs)


def test_a_replaced_card_keeps_its_id_and_gets_a_new_number(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    card = _order(raw, done)
    before = _number(_card(raw, done, card["id"]))
    raw.call("PUT", f"user/{done.user_id}/card/{card['id']}", {"status": "LOST"}, token=done.session_token)
    answer = raw.call(
        "POST",
        f"user/{done.user_id}/card/{card['id']}/replace",
        {"second_line": "New one"},
        token=done.session_token,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["Response"] == [{"Id": {"id": card["id"]}}]
    after = _card(raw, done, card["id"])
    assert after["status"] == "ACTIVE" and after["second_line"] == "New one"
    assert _number(after) != before or after["updated"] != card["updated"]
    names = raw.call("GET", f"user/{done.user_id}/card-name", token=done.session_token).json()["Response"]
    name = names[0]["CardUserNameArray"]["possible_card_name_array"][-1]
    replaced = {"cards": [{"id": card["id"], "name_on_card": name}]}
    batch = raw.call("POST", f"user/{done.user_id}/card-batch-replace", replaced, token=done.session_token)
    assert batch.json()["Response"] == [{"CardBatchReplace": {"updated_card_ids": [{"id": card["id"]}]}}]
    assert _card(raw, done, card["id"])["name_on_card"] == name
    many = raw.call(
        "POST",
        f"user/{done.user_id}/card-batch-replace",
        {"cards": [{"id": card["id"], "name_on_card": "Nobody"}]},
        token=done.session_token,
    )
    assert many.status_code == 400 and "name_on_card" in error_of(many)
    raw.call(
        "PUT", f"user/{done.user_id}/card/{card['id']}", {"status": "CANCELLED"}, token=done.session_token
    )
    final = raw.call("POST", f"user/{done.user_id}/card/{card['id']}/replace", {}, token=done.session_token)
    assert final.status_code == 400 and "CANCELLED" in error_of(final)
