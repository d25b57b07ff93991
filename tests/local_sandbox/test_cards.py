"""Cards: none for a new user; an order shows up in the list, in events and in bunq's Card shape; updates stick."""

from __future__ import annotations

from tests.helpers import Handshake, Raw, error_of


def _names(raw: Raw, done: Handshake) -> list[str]:
    response = raw.call("GET", f"user/{done.user_id}/card-name", token=done.session_token)
    [item] = response.json()["Response"]
    return item["CardUserNameArray"]["possible_card_name_array"]


def _order(raw: Raw, done: Handshake, **extra) -> dict:
    body = {
        "second_line": "Groceries",
        "name_on_card": _names(raw, done)[0],
        "type": "MASTERCARD",
        "product_type": "MASTERCARD_DEBIT",
        "pin_code_assignment": [
            {"type": "PRIMARY", "pin_code": "4831", "monetary_account_id": done.account_id}
        ],
        **extra,
    }
    response = raw.call("POST", f"user/{done.user_id}/card-debit", body, token=done.session_token)
    assert response.status_code == 200, response.text
    [item] = response.json()["Response"]
    return item["CardDebit"]


def test_a_new_user_has_no_cards_and_an_order_is_listed(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    empty = raw.call("GET", f"user/{done.user_id}/card", token=done.session_token).json()
    assert empty["Response"] == [] and "Pagination" in empty

    card = _order(raw, done)
    assert card["type"] == "MASTERCARD" and card["product_type"] == "MASTERCARD_DEBIT"
    assert card["second_line"] == "Groceries" and card["name_on_card"] == _names(raw, done)[0]
    assert card["status"] == "ACTIVE" and card["order_status"] == "DELIVERED_TO_CUSTOMER"
    assert card["user_owner_id"] == card["user_holder_id"] == done.user_id
    assert card["card_limit"] == {"value": "1000.00", "currency": "EUR"}
    assert card["card_limit_atm"] == {"value": "500.00", "currency": "EUR"}
    assert card["pin_code_assignment"] == [
        {
            "type": "PRIMARY",
            "routing_type": "MANUAL",
            "monetary_account_id": done.account_id,
            "status": "ACTIVE",
        }
    ]
    assert "4831" not in str(card)  # the PIN is never shown
    [pan] = card["primary_account_numbers"]
    assert (
        len(pan["four_digit"]) == 4
        and pan["monetary_account_id"] == done.account_id
        and pan["type"] == "PHYSICAL"
    )
    assert card["label_monetary_account_current"]["iban"].startswith("NL")

    listed = raw.call("GET", f"user/{done.user_id}/card", token=done.session_token).json()["Response"]
    assert listed == [{"Card": card}]
    read = raw.call("GET", f"user/{done.user_id}/card/{card['id']}", token=done.session_token).json()[
        "Response"
    ]
    assert read == [{"Card": card}]

    events = raw.call("GET", f"user/{done.user_id}/event", token=done.session_token).json()["Response"]
    assert (
        events[0]["Event"]["object"] == {"CardDebit": card}
        and events[0]["Event"]["monetary_account_id"] is None
    )
    hidden = raw.call(
        "GET", f"user/{done.user_id}/event?display_user_event=false", token=done.session_token
    ).json()
    assert all("CardDebit" not in item["Event"]["object"] for item in hidden["Response"])


def test_updates_follow_bunqs_status_rules(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    card = _order(raw, done, order_status="VIRTUAL_DELIVERY")
    assert (
        card["order_status"] == "VIRTUAL_DELIVERY" and card["primary_account_numbers"][0]["type"] == "VIRTUAL"
    )
    path = f"user/{done.user_id}/card/{card['id']}"

    limits = raw.call(
        "PUT",
        path,
        {
            "card_limit": {"value": "250.00", "currency": "EUR"},
            "card_limit_atm": {"value": "0.00", "currency": "EUR"},
            "status": "DEACTIVATED",
            "country_permission": [{"country": "BE"}],
        },
        token=done.session_token,
    )
    assert limits.status_code == 200
    [item] = limits.json()["Response"]
    changed = item["Card"]
    assert changed["card_limit"]["value"] == "250.00" and changed["card_limit_atm"]["value"] == "0.00"
    assert changed["status"] == "DEACTIVATED" and changed["country_permission"] == [{"country": "BE"}]
    read = raw.call("GET", path, token=done.session_token).json()["Response"][0]["Card"]
    assert read == changed

    assert raw.call("PUT", path, {"status": "ACTIVE"}, token=done.session_token).status_code == 200
    assert raw.call("PUT", path, {"status": "LOST"}, token=done.session_token).status_code == 200
    final = raw.call("PUT", path, {"status": "ACTIVE"}, token=done.session_token)
    assert final.status_code == 400 and "LOST, which is final" in error_of(final)
    assert raw.call("GET", path, token=done.session_token).json()["Response"][0]["Card"]["status"] == "LOST"

    kinds = [
        next(iter(e["Event"]["object"]))
        for e in raw.call("GET", f"user/{done.user_id}/event", token=done.session_token).json()["Response"]
    ]
    assert kinds == ["Card", "Card", "Card", "CardDebit"]


def test_orders_and_updates_refuse_bad_input(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    other = raw.handshake(client_key)
    name = _names(raw, done)[0]
    base = {
        "second_line": "x",
        "name_on_card": name,
        "type": "MASTERCARD",
        "product_type": "MASTERCARD_DEBIT",
    }
    for body, message in [
        ({k: v for k, v in base.items() if k != "second_line"}, '"second_line" is required'),
        ({**base, "second_line": "x" * 18}, '"second_line" is longer than 17'),
        ({**base, "name_on_card": "Someone Else"}, '"name_on_card" must be one of'),
        ({**base, "type": "VISA"}, '"type" must be one of MAESTRO, MASTERCARD'),
        ({k: v for k, v in base.items() if k != "product_type"}, '"product_type" is required'),
        (
            {
                **base,
                "pin_code_assignment": [
                    {"type": "PRIMARY", "pin_code": "12", "monetary_account_id": done.account_id}
                ],
            },
            '"pin_code_assignment[0].pin_code" must be four digits',
        ),
        (
            {
                **base,
                "pin_code_assignment": [
                    {"type": "PRIMARY", "pin_code": "١٢٣٤", "monetary_account_id": done.account_id}
                ],
            },
            "must be four digits",
        ),
        (
            {**base, "pin_code_assignment": [{"type": "PRIMARY", "monetary_account_id": other.account_id}]},
            f"you have no monetary account {other.account_id}",
        ),
        (
            {**base, "alias": {"type": "IBAN", "value": "NL00BUNQ0000000000"}},
            '"alias": you have no monetary account',
        ),
    ]:
        response = raw.call("POST", f"user/{done.user_id}/card-debit", body, token=done.session_token)
        assert response.status_code == 400 and message in error_of(response), (body, response.text)
    assert raw.call("GET", f"user/{done.user_id}/card", token=done.session_token).json()["Response"] == []

    card = _order(raw, done)
    path = f"user/{done.user_id}/card/{card['id']}"
    for body, message in [
        ({"card_limit": {"value": "10000.01", "currency": "EUR"}}, "at most 10000.00"),
        ({"status": "BROKEN"}, '"status" must be one of'),
        ({"order_status": "SENT_FOR_PRODUCTION"}, '"order_status" is set by bunq'),
        ({"activation_code": "123"}, '"activation_code" is not emulated'),
        ({"cancellation_reason": "lost it"}, 'goes with status "CANCELLED"'),
    ]:
        response = raw.call("PUT", path, body, token=done.session_token)
        assert response.status_code == 400 and message in error_of(response), (body, response.text)
    theirs = raw.call("GET", f"user/{other.user_id}/card/{card['id']}", token=other.session_token)
    assert theirs.status_code == 404 and "Card with id" in error_of(theirs)


def test_generated_cvc2(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    card = _order(raw, done)
    base = f"user/{done.user_id}/card/{card['id']}/generated-cvc2"
    made = raw.call("POST", base, {"type": "GENERATED"}, token=done.session_token)
    assert made.status_code == 200
    cvc_id = made.json()["Response"][0]["Id"]["id"]
    [item] = raw.call("GET", base, token=done.session_token).json()["Response"]
    code = item["CardGeneratedCvc2"]
    assert code["id"] == cvc_id and len(code["cvc2"]) == 3 and code["cvc2"].isdigit()
    assert code["status"] == "AVAILABLE" and code["type"] == "GENERATED"
    assert (
        raw.call("PUT", f"{base}/{cvc_id}", {"type": "STATIC"}, token=done.session_token).status_code == 200
    )
    static = raw.call("GET", f"{base}/{cvc_id}", token=done.session_token).json()["Response"][0][
        "CardGeneratedCvc2"
    ]
    assert static["type"] == "STATIC" and static["expiry_time"][:4] == card["expiry_date"][:4]
    bad = raw.call("POST", base, {"type": "DYNAMIC"}, token=done.session_token)
    assert bad.status_code == 400 and '"type" must be one of STATIC, GENERATED' in error_of(bad)


def test_a_credit_card_order_is_a_card_too(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    body = {
        "first_line": "Travel",
        "second_line": "Abroad",
        "name_on_card": _names(raw, done)[1],
        "type": "MASTERCARD",
        "product_type": "MASTERCARD_CREDIT",
    }
    response = raw.call("POST", f"user/{done.user_id}/card-credit", body, token=done.session_token)
    assert response.status_code == 200, response.text
    card = response.json()["Response"][0]["CardCredit"]
    assert card["first_line"] == "Travel" and card["product_type"] == "MASTERCARD_CREDIT"
    assert (
        card["pin_code_assignment"][0]["monetary_account_id"] == done.account_id
    )  # the first active account
    listed = raw.call("GET", f"user/{done.user_id}/card", token=done.session_token).json()["Response"]
    assert listed == [{"Card": card}]
    [event] = raw.call("GET", f"user/{done.user_id}/event", token=done.session_token).json()["Response"]
    assert event["Event"]["object"] == {"Card": card}  # bunq's events hold no CardCredit
