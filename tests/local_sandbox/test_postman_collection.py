"""bunq's Postman collection, replayed request by request against a local sandbox: every folder but
OAuth (whose requests go to bunq's OAuth hosts, hard-coded), in the collection's order.

Read from bunq/postman@12c192b6 (collections/bunq_public_API_collection.json) and written here in our
own words. What a run of it sends, and what this replay sends too:

- the headers of ``tests/local_sandbox/postman.py``; one request id, made by "Create an installation"
  and never again; tab- or space-indented raw bodies exactly as the collection has them;
- ``X-Bunq-Client-Signature: {{signature}}`` on every request. Only some pre-request scripts sign:
  "Add a session", "Create a payment" and the draft, scheduled and batch POSTs sign the body as sent;
  "List payments", "List bunq invoices", "Export bunq invoice pdf" and both attachment requests sign
  bunq's old full-request string (method and path, the sorted X-Bunq-, Cache-Control and User-Agent
  headers, the body). Every other request sends whatever the last script left, so stale signatures
  ride on GETs and on the request-inquiry, account and statement POSTs; bunq checks none of those;
- the variables its test scripts keep: ``user_id`` (session), ``monetary_account_id`` (the first
  ``MonetaryAccountBank``), ``payment_id`` (the first ``Payment`` listed), ``invoice_id`` and
  ``attachment_id``. A variable never set stays ``{{name}}`` in the URL, percent-encoded.

The order a person follows: the collection's README says to run "Create a sandbox user", the three
API context requests, then "List monetary accounts", which is what sets ``monetary_account_id``
(the Payments folder comes before the folder that sets it). Sugar daddy answers the request for money
after a delay, as bunq's does; the replay waits for the money (by reading the account, bounded) where a
person would click the next request a moment later.

Where the collection itself is wrong, the replay says so and checks what bunq answers instead:
"Get schedule", "List savings accounts" and both account creates test for a ``MonetaryAccountBank``
item (copied from "List monetary accounts"; bunq answers ``Schedule`` items, ``MonetaryAccountSavings``
items and ``Id``); "List bunq invoices" expects an invoice a new sandbox user cannot have (bunq bills
monthly), so ``invoice_id`` is never set; "Get a payment attachment" expects a note attachment on a
payment nobody attached one to, so ``attachment_id`` is never set; the two requests that use them go
out with ``{{invoice_id}}`` and ``{{attachment_id}}`` in their paths and get bunq's 404. The sandbox
user requests disable the request-id header, so their "Response id is same as request id" test
cannot pass anywhere; the replay checks that no id is made up instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import requests

from bunq_helpers.crypto import keys, signing
from bunq_helpers.local_sandbox import LocalSandbox
from tests.local_sandbox.postman import Postman, items_by_kind, jsrsasign_style_key, nanoid

SUGAR_DADDY = "sugardaddy@bunq.com"
MONEY_WAIT_SECONDS = 15.0


def unset(name: str) -> str:
    """A Postman variable that was never set, as it goes out in a URL path."""
    return quote("{{" + name + "}}", safe="")


@dataclass
class Answer:
    """One request of the replay and what came back."""

    folder: str
    name: str
    method: str
    path: str
    status: int
    kinds: list[str]


@dataclass
class CollectionRun:
    """Sends the collection's requests as Postman does and checks what every answer must hold."""

    sandbox: LocalSandbox
    postman: Postman = field(init=False)
    key: keys.PrivateKey | None = None
    server_key: keys.PublicKey | None = None
    session_token: str = ""
    user_id: int = 0
    monetary_account_id: int = 0
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.postman = Postman(self.sandbox)

    def send(
        self,
        folder: str,
        name: str,
        method: str,
        path: str,
        body: str = "",
        *,
        sign: str | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """One request; ``sign`` is "body", "request" (bunq's old full-request string) or None (stale)."""
        sent = (
            headers if headers is not None else self.postman.bunq_headers(token=token or self.session_token)
        )
        if sign is not None:
            self.postman.environment["signature"] = self._signature(sign, method, path, body, sent)
            sent["X-Bunq-Client-Signature"] = self.postman.environment["signature"]
        response = self.postman.send(method, path, body, sent)
        is_json = response.headers["Content-Type"] == "application/json"
        kinds = list(items_by_kind(response)) if is_json and "Response" in response.json() else []
        self.answers.append(Answer(folder, name, method, path, response.status_code, kinds))
        if self.server_key is not None:  # every answer is signed, errors too
            assert signing.verify_body(
                self.server_key, response.content, response.headers["X-Bunq-Server-Signature"]
            ), f"{name}: server signature does not verify"
        if "X-Bunq-Client-Request-Id" in sent:  # the collection's own first test, on every request
            assert response.headers["X-Bunq-Client-Request-Id"] == self.postman.environment["request_id"]
        return response

    def _signature(self, how: str, method: str, path: str, body: str, sent: dict[str, str]) -> str:
        assert self.key is not None
        if how == "body":
            return signing.sign_body(self.key, body.encode("utf-8"))
        signed = {"Cache-Control", "User-Agent"}
        lines = [
            f"{name}: {value}\n"
            for name, value in sorted(sent.items(), key=lambda pair: pair[0].upper())
            if (name in signed or name.startswith("X-Bunq-")) and name != "X-Bunq-Client-Signature"
        ]
        text = f"{method} /v1/{path}\n{''.join(lines)}\n{body}"
        return signing.sign_body(self.key, text.encode("utf-8"))

    def ok(self, *args: Any, **kwargs: Any) -> dict[str, list[dict[str, Any]]]:
        """``send``, expecting 200 and bunq's single-key items; the items grouped by kind."""
        response = self.send(*args, **kwargs)
        assert response.status_code == 200, f"{args[1]}: {response.status_code} {response.text}"
        return items_by_kind(response)

    def not_found(self, *args: Any) -> str:
        """``send``, expecting bunq's 404 error body; its description."""
        response = self.send(*args)
        assert response.status_code == 404, f"{args[1]}: {response.status_code} {response.text}"
        [error] = response.json()["Error"]
        assert set(error) == {"error_description", "error_description_translated"}
        return error["error_description"]

    def account(self, account_id: int | None = None) -> str:
        return f"user/{self.user_id}/monetary-account/{account_id or self.monetary_account_id}"

    def read(self, path: str) -> dict[str, Any]:
        """One object, read outside the collection to check what a request did (one item, one kind)."""
        found = self.ok("(check)", f"GET {path}", "GET", path)
        [(kind, [item])] = found.items()
        return {"kind": kind, **item}

    def wait_for_balance(self, value: str) -> dict[str, Any]:
        """Read the account until its balance is ``value`` EUR (sugar daddy pays after a delay)."""
        deadline = time.monotonic() + MONEY_WAIT_SECONDS
        while True:
            account = self.read(self.account())
            if account["balance"] == {"value": value, "currency": "EUR"} or time.monotonic() > deadline:
                return account
            time.sleep(0.1)


def euros(value: str) -> dict[str, str]:
    return {"value": value, "currency": "EUR"}


def test_postman_collection_every_folder_but_oauth(sandbox: LocalSandbox) -> None:
    run = CollectionRun(sandbox)
    postman = run.postman
    no_request_id = {"User-Agent": "postman"}  # language, region, request id and geolocation disabled

    # --- Test users -------------------------------------------------------------------------------
    for name, path in (
        ("Create a sandbox user (company)", "sandbox-user-company"),
        ("Create a sandbox user (person)", "sandbox-user-person"),
    ):
        postman.environment["request_id"] = nanoid()  # its pre-request script, header disabled all the same
        response = run.send("Test users", name, "POST", path, headers=dict(no_request_id))
        assert response.status_code == 200, response.text
        assert "X-Bunq-Client-Request-Id" not in response.headers
        [api_key_item] = items_by_kind(response)["ApiKey"]
        api_key = api_key_item["api_key"]
        assert isinstance(api_key, str) and len(api_key) == 64
    # the environment keeps the last one: the person's key

    # --- API context ------------------------------------------------------------------------------
    run.key = jsrsasign_style_key(2048)
    postman.environment["request_id"] = nanoid()
    pem_fmt = (keys.public_key_to_pem(run.key) + "\n").replace("\n", "\\n")
    found = run.ok(
        "API context",
        "Create an installation",
        "POST",
        "installation",
        '{"client_public_key":"' + pem_fmt + '"}',
        headers=postman.bunq_headers(cache_control=False),
    )
    assert [len(found[kind]) for kind in ("Id", "Token", "ServerPublicKey")] == [1, 1, 1]
    installation_token = found["Token"][0]["token"]
    run.server_key = keys.load_public_key(found["ServerPublicKey"][0]["server_public_key"])
    found = run.ok(
        "API context",
        "Add the device",
        "POST",
        "device-server",
        '{\n\t"description": "Postman",\n\t"secret": "' + api_key + '",\n\t"permitted_ips": ["*"]\n}',
        token=installation_token,
    )
    assert isinstance(found["Id"][0]["id"], int)
    found = run.ok(
        "API context",
        "Add a session",
        "POST",
        "session-server",
        '{\n\t"secret": "' + api_key + '"\n}',
        sign="body",
        token=installation_token,
    )
    assert [len(found[kind]) for kind in ("Id", "Token", "UserPerson")] == [1, 1, 1]
    run.user_id, run.session_token = found["UserPerson"][0]["id"], found["Token"][0]["token"]
    user = found["UserPerson"][0]

    # README step 8, "List monetary accounts": sets monetary_account_id for the folders after it.
    found = run.ok("(README step 8)", "List monetary accounts", "GET", f"user/{run.user_id}/monetary-account")
    run.monetary_account_id = found["MonetaryAccountBank"][0]["id"]
    primary = run.monetary_account_id
    assert found["MonetaryAccountBank"][0]["balance"] == euros("0.00")

    # --- Payments ---------------------------------------------------------------------------------
    body = (
        '{\n\t"amount_inquired": {\n    "value": "100",\n    "currency": "EUR"\n  },\n'
        '  "counterparty_alias": {\n      "type": "EMAIL",\n      "value": "sugardaddy@bunq.com",\n'
        '      "name": "Sugar Daddy"\n  },\n  "description": "You\'re the best!",\n  "allow_bunqme": false\n}'
    )
    found = run.ok("Payments", "Request money", "POST", run.account() + "/request-inquiry", body)
    inquiry = run.read(run.account() + f"/request-inquiry/{found['Id'][0]['id']}")
    assert inquiry["kind"] == "RequestInquiry" and inquiry["amount_inquired"] == euros("100.00")
    assert inquiry["counterparty_alias"]["display_name"] == "Sugar Daddy"
    assert inquiry["description"] == "You're the best!"
    assert run.wait_for_balance("100.00")["balance"] == euros("100.00")

    draft_body = (
        '{\n   "status":"ACTIVE",\n   "entries":[\n      {\n         "amount":{\n            "value":"0.10",\n'
        '            "currency":"EUR"\n         },\n         "counterparty_alias":{\n'
        '            "type":"EMAIL",\n            "value":"sugardaddy@bunq.com",\n'
        '            "name":"Sugar Daddy"\n         },\n         "description":"My description :)"\n'
        '      }\n   ],\n   "number_of_required_accepts":1,\n   "schedule":{\n'
        '      "time_start":"{year}-11-23T18:25:43.511Z",\n      "time_end":"{year}-11-24T18:25:43.511Z",\n'
        '      "recurrence_unit":"MONTHLY",\n      "recurrence_size":1\n   }\n}'
    )
    found = run.ok(
        "Payments",
        "List payments",
        "GET",
        run.account() + "/payment",
        draft_body.replace("{year}", "2019"),  # a GET with a draft's body: ignored
        sign="request",
    )
    payment_id = found["Payment"][0]["id"]  # the collection's test: Payment[0].id, a number
    assert isinstance(payment_id, int)
    credit = found["Payment"][0]
    assert credit["amount"] == euros("100.00") and credit["description"] == "You're the best!"
    assert credit["counterparty_alias"]["display_name"] == "Sugar Daddy"

    body = (
        '{\n    "amount": {\n        "value": "0.10",\n        "currency": "EUR"\n    },\n'
        '    "counterparty_alias": {\n        "type": "EMAIL",\n        "value": "sugardaddy@bunq.com",\n'
        '        "name": "Sugar Daddy"\n    },\n    "description": "My payment description :)"\n}'
    )
    found = run.ok("Payments", "Create a payment", "POST", run.account() + "/payment", body, sign="body")
    paid = run.read(run.account() + f"/payment/{found['Id'][0]['id']}")
    assert paid["amount"] == euros("-0.10") and paid["description"] == "My payment description :)"
    assert run.read(run.account())["balance"] == euros("99.90")

    # "Get schedule": its test wants MonetaryAccountBank (the collection is wrong); bunq lists Schedules.
    found = run.ok("Payments", "Get schedule", "GET", run.account() + "/schedule")
    assert "MonetaryAccountBank" not in found and set(found) <= {"Schedule"}

    found = run.ok(
        "Payments",
        "Create a draft scheduled payment",
        "POST",
        run.account() + "/draft-payment",
        draft_body.replace("{year}", "2020"),
        sign="body",
    )
    draft_id = found["Id"][0]["id"]
    draft = run.read(run.account() + f"/draft-payment/{draft_id}")
    assert draft["kind"] == "DraftPayment" and draft["status"] == "PENDING"
    assert [entry["amount"] for entry in draft["entries"]] == [euros("0.10")]
    assert draft["entries"][0]["description"] == "My description :)"
    found = run.ok(
        "Payments",
        "List draft (scheduled) payments",
        "GET",
        run.account() + "/draft-payment",
        draft_body.replace("{year}", "2019"),
    )
    assert [item["id"] for item in found["DraftPayment"]] == [draft_id]

    body = (
        '{\n   "payment":{\n      "amount":{\n         "value":"0.10",\n         "currency":"EUR"\n      },\n'
        '      "counterparty_alias":{\n         "type":"EMAIL",\n         "value":"sugardaddy@bunq.com",\n'
        '         "name":"Sugar Daddy"\n      },\n      "description":"My scheduled payment description :)"\n'
        '   },\n   "schedule":{\n      "time_start":"2019-11-23T18:25:43.511Z",\n'
        '      "time_end":"2019-11-24T18:25:43.511Z",\n      "recurrence_unit":"MONTHLY",\n'
        '      "recurrence_size":1\n   }\n}'
    )
    found = run.ok(
        "Payments",
        "Create a scheduled payment",
        "POST",
        run.account() + "/schedule-payment",
        body,
        sign="body",
    )
    scheduled_id = found["Id"][0]["id"]
    body = (
        '{\n   "payments":[\n      {\n         "amount":{\n            "value":"5.00",\n'
        '            "currency":"EUR"\n         },\n         "counterparty_alias":{\n'
        '            "type":"EMAIL",\n            "value":"sugardaddy@bunq.com"\n         },\n'
        '         "description":"My scheduled payment 1"\n      },\n      {\n         "amount":{\n'
        '            "value":"12.30",\n            "currency":"EUR"\n         },\n'
        '         "counterparty_alias":{\n            "type":"PHONE_NUMBER",\n'
        '            "value":"+31611001350"\n         },\n         "description":"My scheduled payment 2"\n'
        '      },\n      {\n         "amount":{\n            "value":"19.95",\n            "currency":"EUR"\n'
        '         },\n         "counterparty_alias":{\n            "type":"IBAN",\n'
        '            "value":"NL35BUNQ9900341392",\n            "name":"Sabine Paston-Cooper"\n         },\n'
        '         "description":"My scheduled payment 3"\n      }\n   ],\n   "schedule":{\n'
        '      "time_start":"2019-12-16T12:25:43.511Z",\n      "time_end":"2019-12-17T12:25:43.511Z",\n'
        '      "recurrence_unit":"MONTHLY",\n      "recurrence_size":1\n   }\n}'
    )
    found = run.ok(
        "Payments",
        "Create a scheduled payment batch",
        "POST",
        run.account() + "/schedule-payment-batch",
        body,
        sign="body",
    )
    batch_id = found["Id"][0]["id"]
    found = run.ok("Payments", "List scheduled payments", "GET", run.account() + "/schedule-payment")
    # The schedule the collection sends ran in 2019: the sandbox runs a past schedule's due payment
    # once, now, and the schedule is FINISHED; the batch's three payments went out the same way.
    [scheduled] = found["ScheduledPayment"]  # bunq's SDK reads the list under this key
    assert scheduled["payment"]["amount"] == euros("0.10") and scheduled["status"] == "FINISHED"
    assert scheduled["payment"]["description"] == "My scheduled payment description :)"
    assert scheduled["schedule"]["recurrence_unit"] == "MONTHLY"
    assert run.read(run.account() + f"/schedule-payment/{scheduled_id}")["status"] == "FINISHED"
    assert run.read(run.account() + f"/schedule-payment-batch/{batch_id}")["kind"] == "ScheduledPaymentBatch"
    assert run.read(run.account())["balance"] == euros("62.55")  # 100 - 0.10 - 0.10 - 5.00 - 12.30 - 19.95
    assert batch_id != scheduled_id

    # --- Monetary accounts (sub-accounts) ---------------------------------------------------------
    found = run.ok(
        "Monetary accounts", "List monetary accounts", "GET", f"user/{run.user_id}/monetary-account"
    )
    assert found["MonetaryAccountBank"][0]["id"] == primary
    found = run.ok("Monetary accounts", "Get a monetary account", "GET", run.account())
    [bank] = found["MonetaryAccountBank"]
    assert bank["id"] == primary and bank["description"] == "Main account"
    savings_path = f"user/{run.user_id}/monetary-account-savings"
    # "List savings accounts": its test wants MonetaryAccountBank; a new user has no savings account.
    found = run.ok("Monetary accounts", "List savings accounts", "GET", savings_path)
    assert found == {}
    account_body = (
        '{\n  "currency": "EUR",\n  "description": "my first test MA",\n  "daily_limit": {\n'
        '    "value": "100",\n    "currency": "EUR"\n  },\n  "status": "ACTIVE",\n  "setting": {\n'
        '    "default_avatar_status": "AVATAR_DEFAULT",\n    "restriction_chat": "ALLOW_INCOMING"\n  }\n}'
    )
    # Both creates: the collection's test wants MonetaryAccountBank; bunq answers Id (as its spec says).
    found = run.ok(
        "Monetary accounts",
        "Create a monetary account",
        "POST",
        f"user/{run.user_id}/monetary-account-bank",
        account_body,
    )
    assert list(found) == ["Id"]
    created = run.read(f"user/{run.user_id}/monetary-account-bank/{found['Id'][0]['id']}")
    assert created["kind"] == "MonetaryAccountBank" and created["description"] == "my first test MA"
    assert created["daily_limit"] == euros("100.00") and created["status"] == "ACTIVE"
    assert created["balance"] == euros("0.00") and created["currency"] == "EUR"
    assert created["setting"]["restriction_chat"] == "ALLOW_INCOMING"
    savings_body = (
        account_body[:-2] + ',\n  "savings_goal": {\n    "value": "100",\n    "currency": "EUR"\n  }\n}'
    )
    found = run.ok("Monetary accounts", "Create a savings account", "POST", savings_path, savings_body)
    assert list(found) == ["Id"]
    savings = run.read(f"{savings_path}/{found['Id'][0]['id']}")  # GET monetary-account-savings/{id}
    assert savings["kind"] == "MonetaryAccountSavings" and savings["id"] == found["Id"][0]["id"]
    assert savings["description"] == "my first test MA" and savings["savings_goal"] == euros("100.00")
    assert savings["balance"] == euros("0.00") and savings["status"] == "ACTIVE"
    assert savings["alias"][0]["type"] == "IBAN" and savings["alias"][0]["value"].startswith("NL")
    everything = items_by_kind(run.send("(check)", "list all", "GET", f"user/{run.user_id}/monetary-account"))
    assert {kind: len(items) for kind, items in everything.items()} == {
        "MonetaryAccountBank": 2,
        "MonetaryAccountSavings": 1,
    }

    # --- Exports and attachments ------------------------------------------------------------------
    body = '{\n\t"statement_format":"CSV",\n\t"date_start": "2019-01-01",\n\t"date_end": "2020-02-03",\n\t"regional_format":"EUROPEAN"\n}'
    found = run.ok(
        "Exports", "Create a customer statement", "POST", run.account() + "/customer-statement/", body
    )
    statement_id = found["Id"][0]["id"]
    statement = run.read(run.account() + f"/customer-statement/{statement_id}")
    assert (statement["statement_format"], statement["date_start"], statement["date_end"]) == (
        "CSV",
        "2019-01-01",
        "2020-02-03",
    )
    assert statement["regional_format"] == "EUROPEAN"
    found = run.ok("Exports", "List customer statements", "GET", run.account() + "/customer-statement")
    assert [item["id"] for item in found["CustomerStatement"]] == [statement_id]
    # "List bunq invoices": its test wants Invoice[0]; a new sandbox user has been billed nothing yet.
    found = run.ok("Exports", "List bunq invoices", "GET", f"user/{run.user_id}/invoice", sign="request")
    assert found == {}
    description = run.not_found(
        "Exports",
        "Export bunq invoice pdf",
        "GET",
        f"user/{run.user_id}/invoice/{unset('invoice_id')}/pdf-content",
    )
    assert description == "Route not found."
    assert "Invoice" in run.not_found(
        "(check)", "pdf of invoice 1", "GET", f"user/{run.user_id}/invoice/1/pdf-content"
    )
    # "Get a payment attachment": its test wants a NoteAttachment on the payment; none was attached.
    found = run.ok(
        "Exports",
        "Get a payment attachment",
        "GET",
        run.account() + f"/payment/{payment_id}/note-attachment",
        sign="request",
    )
    assert found == {}
    description = run.not_found(
        "Exports",
        "Get content of an attachment",
        "GET",
        f"user/{run.user_id}/attachment/{unset('attachment_id')}/content",
    )
    assert description == "Route not found."
    missing = run.not_found("(check)", "attachment 1", "GET", f"user/{run.user_id}/attachment/1/content")
    assert "1" in missing and missing != "Route not found."

    # --- Top level --------------------------------------------------------------------------------
    found = run.ok("top level", "Get user info", "GET", "user/")
    assert found["UserPerson"][0]["id"] == run.user_id == user["id"]
    found = run.ok("top level", "List events", "GET", f"user/{run.user_id}/event")
    assert isinstance(found["Event"][0]["id"], int)  # the collection's test: Event[0].id, a number
    assert {event["object"] and next(iter(event["object"])) for event in found["Event"]} >= {"Payment"}
    found = run.ok("top level", "List cards", "GET", f"user/{run.user_id}/card")
    assert found == {}  # a new sandbox user has no card
    found = run.ok("top level", "Get tree progress", "GET", f"user/{run.user_id}/tree-progress")
    [progress] = found["TreeProgress"]
    paid = run.ok("(check)", "payments", "GET", run.account(primary) + "/payment?count=200")["Payment"]
    spent = -sum(Decimal(p["amount"]["value"]) for p in paid if p["amount"]["value"].startswith("-"))
    assert progress["number_of_tree"] == int(spent // 100)
    assert progress["progress_tree_next"] == int(spent % 100)
    assert progress["label_user"]["display_name"] == user["display_name"]
    assert progress["url_invite_profile"] == f"https://bunq.com/invite/{user['public_nick_name'].lower()}"

    # Every request of the collection (29 less the 2 OAuth ones) went out; every one whose object exists
    # answered 2xx, the two whose variables the collection never sets answered bunq's 404.
    collection = [a for a in run.answers if not a.folder.startswith("(")]
    assert len(collection) == 29
    failed = [(a.name, a.status) for a in collection if not 200 <= a.status < 300]
    assert failed == [("Export bunq invoice pdf", 404), ("Get content of an attachment", 404)]
