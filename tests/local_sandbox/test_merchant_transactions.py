"""Top-ups by iDEAL (``ideal-merchant-transaction``), card payments (``mastercard-action``) and Sofort
top-ups: made as bunq makes them, the balance and the event log moved with them, each of the caller's own
only, and the ten note operations on each of them."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from bunq_helpers.crypto import keys
from bunq_helpers.local_sandbox import LocalSandbox
from bunq_helpers.local_sandbox.endpoints import held_parents, notes
from tests.conftest import Raw, error_of
from tests.local_sandbox.test_attachments import tiny_png, upload
from tests.local_sandbox.test_sandbox_api import api

EUR = "EUR"


@pytest.fixture
def w(tmp_path, client_key) -> Iterator[SimpleNamespace]:
    """Me and another user; my account topped up with 20.00 by iDEAL, then a 4.50 card payment."""
    with LocalSandbox(tmp_path / "state") as sandbox:
        raw = Raw(sandbox)
        me, other = raw.handshake(client_key), raw.handshake(keys.generate_private_key())
        account = f"user/{me.user_id}/monetary-account/{me.account_id}"
        w = SimpleNamespace(sandbox=sandbox, raw=raw, me=me, other=other, account=account)
        w.get = lambda path, who=me: raw.call("GET", path, token=who.session_token)
        w.post = lambda path, body, who=me: raw.call("POST", path, body, token=who.session_token)
        made = w.post(f"{account}/ideal-merchant-transaction", {"amount_requested": money("20.00")})
        assert made.status_code == 200, made.text
        w.ideal = made.json()["Response"][0]["Id"]["id"]
        w.card = card_payment(w, "4.50")
        w.sofort = received(w, "sofort-top-up", "SofortMerchantTransaction", "7.00")
        w.switched = switched_payment(w, "2.00")
        w.adyen = received(w, "adyen-card-payment", "AdyenCardTransaction", "1.00")
        w.open_banking = received(w, "open-banking-payment", "OpenBankingMerchantTransaction", "1.00")
        w.bunqme = triggered(w, "bunqme-payment", "BunqMeFundraiserResult", amount="1.00")
        yield w


def money(value: str) -> dict[str, str]:
    return {"value": value, "currency": EUR}


def triggered(w: SimpleNamespace, name: str, kind: str, **params: object) -> int:
    """What only the world outside bunq's API does, through the sandbox's stand-in: ``/_sandbox/trigger/``."""
    made = api(w.sandbox, "POST", f"trigger/{name}", {"account_id": w.me.account_id, **params})
    assert made.status_code == 200, made.text
    return made.json()["made"][kind]["id"]


def card_payment(w: SimpleNamespace, value: str) -> int:
    return triggered(w, "card-payment", "MasterCardAction", amount=value)


def received(w: SimpleNamespace, name: str, kind: str, value: str) -> int:
    return triggered(w, name, kind, amount=value)


def switched_payment(w: SimpleNamespace, value: str) -> int:
    return triggered(
        w,
        "switch-service-payment",
        "BankSwitchServiceNetherlandsIncomingPayment",
        amount=value,
        old_iban=OLD_IBAN,
        counterparty_name="Employer B.V.",
        description="salary",
    )


OLD_IBAN = "NL39RABO0300065264"


def balance(w: SimpleNamespace) -> str:
    [item] = w.get(w.account).json()["Response"]
    return next(iter(item.values()))["balance"]["value"]


def test_an_ideal_top_up_credits_the_account_with_an_ideal_payment(w: SimpleNamespace) -> None:
    [item] = w.get(f"{w.account}/ideal-merchant-transaction/{w.ideal}").json()["Response"]
    ideal = item["IdealMerchantTransaction"]
    assert ideal["status"] == "SUCCESS" and ideal["monetary_account_id"] == w.me.account_id
    assert ideal["amount_requested"] == ideal["amount_guaranteed"] == money("20.00")
    assert ideal["issuer"] == "INGBNL2A" and ideal["issuer_name"] == "ING"
    assert ideal["alias"]["iban"] and ideal["counterparty_alias"]["display_name"] == "ING"
    payments = [p["Payment"] for p in w.get(f"{w.account}/payment").json()["Response"]]
    [topped] = [p for p in payments if p["type"] == "IDEAL" and p["description"] != "bunq.me"]
    assert topped["amount"] == money("20.00") and ideal["transaction_identifier"] in topped["description"]
    assert balance(w) == "27.50"  # 20.00 in, 4.50 by card, 7.00 by Sofort, 2.00 switched, 1.00 + 1.00 + 1.00
    listed = w.get(f"{w.account}/ideal-merchant-transaction").json()["Response"]
    assert [i["IdealMerchantTransaction"]["transaction_identifier"] for i in listed] == [
        ideal["transaction_identifier"]
    ]


def test_an_ideal_top_up_names_its_amount_and_a_known_bank(w: SimpleNamespace) -> None:
    path = f"{w.account}/ideal-merchant-transaction"
    missing = w.post(path, {"issuer": "ABNANL2A"})
    assert (missing.status_code, error_of(missing)) == (400, 'Field "amount_requested" is required.')
    unknown = w.post(path, {"amount_requested": money("5.00"), "issuer": "NOPENL2A"})
    assert unknown.status_code == 400 and 'Field "issuer" must be the BIC of an iDEAL bank' in error_of(
        unknown
    )
    negative = w.post(path, {"amount_requested": money("-5.00")})
    assert negative.status_code == 400 and "positive" in error_of(negative)
    assert balance(w) == "27.50"
    assert len(w.get(path).json()["Response"]) == 1


def test_a_bunq_payer_scans_the_token_and_pays_by_answering_the_request(w: SimpleNamespace) -> None:
    path = f"{w.account}/ideal-merchant-transaction"
    made = w.post(path, {"amount_requested": money("3.00"), "issuer": "BUNQNL2A"})
    sale_id = made.json()["Response"][0]["Id"]["id"]
    [item] = w.get(f"{path}/{sale_id}").json()["Response"]
    sale = item["IdealMerchantTransaction"]
    assert (sale["status"], sale["amount_guaranteed"]) == ("PENDING", None)
    assert balance(w) == "27.50"  # nothing arrives before the payer answers
    scan = f"user/{w.other.user_id}/token-qr-request-ideal"
    own = w.post(f"user/{w.me.user_id}/token-qr-request-ideal", {"token": sale["transaction_identifier"]})
    assert own.status_code == 400 and "another user pays it" in error_of(own)
    asked = w.post(scan, {"token": sale["transaction_identifier"]}, who=w.other)
    assert asked.status_code == 200, asked.text
    request = asked.json()["Response"][0]["RequestResponse"]
    assert (request["status"], request["type"], request["amount_inquired"]) == (
        "PENDING",
        "IDEAL",
        money("3.00"),
    )
    assert request["monetary_account_id"] == w.other.account_id
    again = w.post(scan, {"token": sale["transaction_identifier"]}, who=w.other)
    assert again.status_code == 400 and "no open iDEAL transaction" in error_of(again)
    theirs = f"user/{w.other.user_id}/monetary-account/{w.other.account_id}"
    w.raw.call(  # the payer needs money first: an iDEAL top-up from another bank
        "POST",
        f"{theirs}/ideal-merchant-transaction",
        {"amount_requested": money("5.00")},
        token=w.other.session_token,
    )
    paid = w.raw.call(
        "PUT",
        f"{theirs}/request-response/{request['id']}",
        {"status": "ACCEPTED", "amount_responded": money("3.00")},
        token=w.other.session_token,
        sign_with=w.other.key,
    )
    assert paid.status_code == 200, paid.text
    [item] = w.get(f"{path}/{sale_id}").json()["Response"]
    assert (
        item["IdealMerchantTransaction"]["status"],
        item["IdealMerchantTransaction"]["amount_guaranteed"],
    ) == (
        "SUCCESS",
        money("3.00"),
    )
    assert balance(w) == "30.50"


def test_a_card_payment_is_a_mastercard_action_with_its_payment_and_event(w: SimpleNamespace) -> None:
    [item] = w.get(f"{w.account}/mastercard-action/{w.card}").json()["Response"]
    action = item["MasterCardAction"]
    assert (action["decision"], action["amount_billing"], action["description"]) == (
        "ALLOWED",
        money("4.50"),
        "Sandbox Coffee",
    )
    [paid] = w.get(f"{w.account}/mastercard-action/{w.card}/payment").json()["Response"]
    assert paid["Payment"]["type"] == "MASTERCARD"
    assert paid["Payment"]["amount"] == money("-4.50")
    events = w.get(f"user/{w.me.user_id}/event").json()["Response"]
    kinds = [next(iter(e["Event"]["object"])) for e in events]
    assert "MasterCardAction" in kinds


def test_a_refused_card_payment_moves_no_money(w: SimpleNamespace) -> None:
    refused = card_payment(w, "500.00")
    [item] = w.get(f"{w.account}/mastercard-action/{refused}").json()["Response"]
    assert item["MasterCardAction"]["decision"] == "INSUFFICIENT_BALANCE"
    assert item["MasterCardAction"]["payment_status"] == "PAYMENT_FAILED"
    assert w.get(f"{w.account}/mastercard-action/{refused}/payment").json()["Response"] == []
    listed = w.get(f"{w.account}/mastercard-action").json()["Response"]
    assert sorted(i["MasterCardAction"]["id"] for i in listed) == [w.card, refused]
    assert balance(w) == "27.50"


def test_a_sofort_top_up_is_listed_and_read(w: SimpleNamespace) -> None:
    [item] = w.get(f"{w.account}/sofort-merchant-transaction/{w.sofort}").json()["Response"]
    assert item["SofortMerchantTransaction"]["amount_guaranteed"] == money("7.00")
    listed = w.get(f"{w.account}/sofort-merchant-transaction").json()["Response"]
    assert [i["SofortMerchantTransaction"]["id"] for i in listed] == [w.sofort]


def test_adyen_and_open_banking_payments_credit_the_account(w: SimpleNamespace) -> None:
    payments = [p["Payment"] for p in w.get(f"{w.account}/payment").json()["Response"]]
    assert {(p["type"], p["amount"]["value"]) for p in payments} >= {("ADYEN", "1.00"), ("EBA_SCT", "1.00")}


def test_a_payment_to_the_old_iban_arrives_through_the_switch_service(w: SimpleNamespace) -> None:
    [item] = w.get(f"{w.account}/switch-service-payment/{w.switched}").json()["Response"]
    switched = item["BankSwitchServiceNetherlandsIncomingPayment"]
    assert switched["payment"]["amount"] == money("2.00") and switched["payment"]["type"] == "EBA_SCT"
    assert switched["payment"]["counterparty_alias"]["display_name"] == "Employer B.V."
    service = switched["bank_switch_service"]
    assert service["counterparty_alias"]["iban"] == OLD_IBAN and service["alias"]["iban"]
    assert service["time_start_actual"] < service["time_end"]
    payments = [p["Payment"]["id"] for p in w.get(f"{w.account}/payment").json()["Response"]]
    assert switched["payment"]["id"] in payments


@pytest.mark.parametrize(
    ("segment", "kind", "attribute"),
    [
        ("switch-service-payment", "BankSwitchServiceNetherlandsIncomingPayment", "switched"),
        ("ideal-merchant-transaction", "IdealMerchantTransaction", "ideal"),
        ("mastercard-action", "MasterCardAction", "card"),
        ("sofort-merchant-transaction", "SofortMerchantTransaction", "sofort"),
    ],
)
def test_someone_elses_is_bunqs_404(w: SimpleNamespace, segment: str, kind: str, attribute: str) -> None:
    item_id = getattr(w, attribute)
    theirs = f"user/{w.other.user_id}/monetary-account/{w.other.account_id}/{segment}/{item_id}"
    answer = w.get(theirs, who=w.other)
    assert (answer.status_code, error_of(answer)) == (404, f"{kind} with id {item_id} not found.")
    if segment != "switch-service-payment":  # bunq's API has no list of those, only a read
        listed = w.get(f"user/{w.other.user_id}/monetary-account/{w.other.account_id}/{segment}", who=w.other)
        assert listed.json()["Response"] == []


@pytest.mark.parametrize(
    ("segment", "attribute"),
    [
        ("ideal-merchant-transaction", "ideal"),
        ("mastercard-action", "card"),
        ("sofort-merchant-transaction", "sofort"),
        ("switch-service-payment", "switched"),
        ("adyen-card-transaction", "adyen"),
        ("open-banking-merchant-transaction", "open_banking"),
        ("bunqme-fundraiser-result", "bunqme"),
    ],
)
def test_notes_on_each_new_parent(w: SimpleNamespace, segment: str, attribute: str) -> None:
    parent = f"{w.account}/{segment}/{getattr(w, attribute)}"
    created = w.post(f"{parent}/note-text", {"content": "receipt in the drawer"})
    assert created.status_code == 200, created.text
    note_id = created.json()["Response"][0]["Id"]["id"]
    put = w.raw.call("PUT", f"{parent}/note-text/{note_id}", {"content": "filed"}, token=w.me.session_token)
    assert put.status_code == 200, put.text
    [read] = w.get(f"{parent}/note-text/{note_id}").json()["Response"]
    assert read["NoteText"]["content"] == "filed"
    assert [n["NoteText"]["id"] for n in w.get(f"{parent}/note-text").json()["Response"]] == [note_id]
    assert w.get(f"{parent}/note-attachment").json()["Response"] == []
    other_parent = f"{w.account}/{segment}/{getattr(w, attribute) + 1}"
    missing = w.get(f"{other_parent}/note-text")
    assert missing.status_code == 404
    deleted = w.raw.call("DELETE", f"{parent}/note-text/{note_id}", token=w.me.session_token)
    assert deleted.json() == {"Response": []}
    assert w.get(f"{parent}/note-text").json()["Response"] == []
    # and a file as a note: attached, described again, read, listed, removed
    uploaded = upload(w.raw, w.me, f"{w.account}/attachment", tiny_png(), "image/png", "receipt")
    attachment_id = uploaded.json()["Response"][0]["Id"]["id"]
    made = w.post(f"{parent}/note-attachment", {"attachment_id": attachment_id, "description": "scan"})
    assert made.status_code == 200, made.text
    file_note = f"{parent}/note-attachment/{made.json()['Response'][0]['Id']['id']}"
    changed = w.raw.call("PUT", file_note, {"description": "scan, signed"}, token=w.me.session_token)
    assert changed.status_code == 200, changed.text
    [shown] = w.get(file_note).json()["Response"]
    assert shown["NoteAttachment"]["description"] == "scan, signed"
    assert len(w.get(f"{parent}/note-attachment").json()["Response"]) == 1
    assert w.raw.call("DELETE", file_note, token=w.me.session_token).json() == {"Response": []}
    assert w.get(f"{parent}/note-attachment").json()["Response"] == []


def test_every_kit_parent_has_its_ten_note_operations() -> None:
    for segment in held_parents.NOTED:
        assert segment in notes.PARENTS
    paths = {route.template for route in notes.ROUTES}
    for segment in held_parents.NOTED:
        assert sum(f"/{segment}/" in path for path in paths) == 4  # two kinds, collection and item


def test_a_receipt_attached_to_a_card_payment(w: SimpleNamespace) -> None:
    uploaded = upload(w.raw, w.me, f"{w.account}/attachment", tiny_png(), "image/png", "receipt")
    assert uploaded.status_code == 200, uploaded.text
    attachment_id = uploaded.json()["Response"][0]["Id"]["id"]
    notes = f"{w.account}/mastercard-action/{w.card}/note-attachment"
    made = w.post(notes, {"attachment_id": attachment_id, "description": "coffee receipt"})
    assert made.status_code == 200, made.text
    [item] = w.get(notes).json()["Response"]
    note = item["NoteAttachment"]
    assert note["description"] == "coffee receipt"
    assert note["attachment"][0]["id"] == attachment_id
