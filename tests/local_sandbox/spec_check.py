"""Check one answer of the local sandbox against bunq's spec, as ``catalogue.json`` holds it.

``check_answer(method, template, payload)`` lists what does not fit the operation's entry: the
top-level keys (``Response``, and ``Pagination`` on listings), each ``Response`` item's wrapper key,
every field name at every depth (a field bunq's spec lacks is a problem, a field the spec has but
the answer leaves out is not: bunq's objects have far more than clients read) and every JSON type.
``null`` passes for any field: bunq sends ``null`` for fields that have no value (a payment's
``geolocation``, an open request's ``time_responded``) and its spec marks nothing nullable.

Where bunq's real answers differ from its spec, the allow-lists below say so with the source;
everything else the sandbox answers must fit the spec.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from bunq_helpers.local_sandbox.app import Answer
from bunq_helpers.local_sandbox.catalogue import Operation, load_catalogue, shape_of

SDK = "bunq's Python SDK 1.28.0 (bunq/sdk/model/generated/endpoint.py)"

# (schema, field) bunq sends though its spec lacks it -> the source.
FIELDS_BUNQ_SENDS: dict[tuple[str, str], str] = {
    ("SessionServerToken", "created"): "bunq's session Token carries created/updated like the installation "
    "Token; the spec omits them (shared/bunq-protocol.md §17, §16.3)",
    ("SessionServerToken", "updated"): "as SessionServerToken.created",
    **{
        (
            schema,
            field,
        ): f"{SDK} and object_.py: OauthCallbackUrlObject carries id, created, updated and url; "
        "a callback URL's id is what its read, update and delete take"
        for schema in ("OauthCallbackUrl", "OauthCallbackUrlListing", "OauthCallbackUrlRead")
        for field in ("id", "created", "updated")
    },
}

# Wrapper keys bunq sends where its spec names none or another: (method, pattern on bunq's path
# template, the key, its fields (None: the operation's own schema in the spec), source). The spec
# does not name the wrapper of objects whose schema lists plain fields; the catalogue derives it from
# the schema's name, which for these objects is not the key bunq uses.
WRAPPERS_BUNQ_SENDS: list[tuple[str, str, str, Any, str]] = [  # fields: inline, a schema name, or None
    (
        "POST",
        r"/sandbox-user-(person|company)",
        "ApiKey",
        {"api_key": "string"},
        "bunq answers ApiKey, not Id (shared/bunq-protocol.md §9.1 and §17; "
        f"{SDK}: SandboxUserPerson/SandboxUserCompany read 'ApiKey')",
    ),
    (
        "GET",
        r"/installation/\{installationID\}/server-public-key",
        "ServerPublicKey",
        None,
        f"{SDK} reads it",
    ),
    (
        "POST",
        r"/payment-service-provider-credential",
        "CredentialPasswordIp",
        "PaymentServiceProviderCredentialRead",
        f"{SDK}: PaymentServiceProviderCredentialInternal.create_with_api_context reads Response[0]"
        "['CredentialPasswordIp'] (its token_value is the PSD2 API key); the spec says Id",
    ),
    (
        "GET",
        r"/payment-service-provider-credential/\{itemId\}",
        "CredentialPasswordIp",
        "PaymentServiceProviderCredentialRead",
        f"{SDK}: PaymentServiceProviderCredentialApiObject's object type is CredentialPasswordIp",
    ),
    (
        "GET",
        r"/user/\{userID\}/credential-password-ip(/\{itemId\})?",
        "CredentialPasswordIp",
        None,
        f"{SDK} reads it",
    ),
    (
        "POST",
        r"/attachment-public",
        "Uuid",
        {"uuid": "string"},
        f"{SDK}: AttachmentPublicApiObject.create reads 'Uuid' (bunq_rb too); the spec says Id",
    ),
    (
        "POST",
        r"/user/\{userID\}/monetary-account/\{monetary-accountID\}/attachment",
        "Id",
        {"id": "integer"},
        f"{SDK}: AttachmentMonetaryAccountApiObject.create reads 'Id'; the spec lists a bare id",
    ),
    ("GET", r"/user/\{userID\}/card-name", "CardUserNameArray", None, f"{SDK}: CardNameApiObject reads it"),
    (
        "GET",
        r"/user-company/\{user-companyID\}/name",
        "UserCompanyNameArray",
        None,
        f"{SDK}: UserCompanyNameApiObject reads it",
    ),
    (
        "POST",
        r"/user/\{userID\}/card-debit",
        "CardDebit",
        "CardRead",
        f"{SDK}: CardDebitApiObject.create reads the whole card under 'CardDebit', not an Id",
    ),
    (
        "POST",
        r"/user/\{userID\}/card-credit",
        "CardCredit",
        "CardRead",
        f"{SDK}: CardCreditApiObject.create reads the whole card under 'CardCredit', not an Id",
    ),
    (
        "PUT",
        r"/user/\{userID\}/card/\{itemId\}",
        "Card",
        "CardRead",
        f"{SDK}: CardApiObject.update reads the whole card under 'Card', not an Id",
    ),
    ("GET", r".*/customer-statement(/\{itemId\})?", "CustomerStatement", None, f"{SDK} reads it"),
    ("GET", r".*/schedule-payment(/\{itemId\})?", "ScheduledPayment", None, f"{SDK} reads it"),
    ("GET", r".*/schedule-payment-batch/\{itemId\}", "ScheduledPaymentBatch", None, f"{SDK} reads it"),
    ("GET", r".*/schedule-instance(/\{itemId\})?", "ScheduledInstance", None, f"{SDK} reads it"),
    (
        "PUT",
        r".*/schedule-payment/\{itemId\}",
        "ScheduledPayment",
        "SchedulePaymentRead",
        f"{SDK}: SchedulePaymentApiObject.update reads the whole ScheduledPayment, not an Id",
    ),
    (
        "PUT",
        r".*/request-response/\{itemId\}",
        "RequestResponse",
        "RequestResponseRead",
        f"{SDK}: RequestResponseApiObject.update reads the whole RequestResponse, not an Id",
    ),
    ("GET", r".*/note-text(/\{itemId\})?", "NoteText", None, f"{SDK} reads it for every kind of note"),
    *(
        (
            method,
            r"/user/\{userID\}(/monetary-account/\{monetary-accountID\})?/notification-filter-url",
            "NotificationFilterUrl",
            {"category": "string", "notification_target": "string"},
            "bunq answers the list of NotificationFilterUrl items to POST and GET, not an Id or a"
            " …Listing (bunq/sdk_php#177 shows the answer, #184; the SDKs' hand-written"
            " NotificationFilterUrl…Internal.create_with_list_response read it)",
        )
        for method in ("POST", "GET")
    ),
    (
        "GET",
        r".*/note-attachment(/\{itemId\})?",
        "NoteAttachment",
        None,
        f"{SDK} reads it for every kind of note",
    ),
]


# Objects inside answers whose spec schema is the request's (or another shape), while bunq (and its
# SDK, which reads them) send another: schema in the spec -> what is sent (a schema name, or a type
# such as ["Payment"] for an array of Payment).
SCHEMAS_BUNQ_SENDS: dict[str, Any] = {
    "Card": "CardRead",  # an Event's object.Card: the SDK's CardApiObject reads the whole card
    "CardDebit": "CardRead",  # an Event's object.CardDebit: the SDK's CardDebitApiObject, likewise
    # an Event's object.BunqMeTab / object.DraftPayment: the SDK's EventObject holds a BunqMeTabApiObject /
    # DraftPaymentApiObject, which read the whole tab (id, created, bunqme_tab_entries, ...) / draft
    "BunqMeTab": "BunqMeTabRead",
    "DraftPayment": "DraftPaymentRead",
    # PaymentBatch.payments: the SDK's PaymentBatchApiObject.payments is list[Payment], and the spec's
    # {"Payment": [...]} makes PaymentBatchApiObject.get raise TypeError (PaymentApiObject.__init__)
    "PaymentBatchAnchoredPayment": ["Payment"],
}


def wrappers_for(operation: Operation) -> dict[str, Any]:
    """The wrapper keys an answer to this operation may use, each with what it wraps."""
    wrappers: dict[str, Any] = dict(operation.response["wrappers"])
    own_schema = next(iter(wrappers.values()), None)
    for method, pattern, key, fields, _source in WRAPPERS_BUNQ_SENDS:
        if method == operation.method and re.fullmatch(pattern, operation.path):
            wrappers[key] = fields if fields is not None else own_schema
    return wrappers


PAGINATION_KEYS = {"future_url", "newer_url", "older_url"}
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
}


def _type_name(value: Any) -> str:
    return {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
    }.get(type(value), type(value).__name__)


class _Checker:
    def __init__(self) -> None:
        self.catalogue = load_catalogue()
        self.problems: list[str] = []

    def value(self, value: Any, kind: Any, where: str) -> None:
        if value is None:
            return
        if isinstance(kind, str):
            kind = SCHEMAS_BUNQ_SENDS.get(kind, kind)
        if isinstance(kind, list):
            if not isinstance(value, list):
                self.problems.append(f"{where}: bunq's spec has an array, the answer has {_type_name(value)}")
                return
            for index, element in enumerate(value):
                self.value(element, kind[0], f"{where}[{index}]")
            return
        if isinstance(kind, dict):  # fields given inline (an allow-list entry, Pagination)
            self.fields(value, kind, where.rsplit(".", 1)[-1], where)
            return
        if kind in _JSON_TYPES:
            expected = _JSON_TYPES[kind]
            if not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool)):
                self.problems.append(f"{where}: bunq's spec has {kind}, the answer has {_type_name(value)}")
            return
        schema = self.catalogue.schemas.get(kind)
        if schema is None:
            return  # the spec leaves this object's fields unknown
        self.fields(value, schema["fields"], kind, where, set(schema.get("write_only", ())))

    def fields(
        self, value: Any, fields: dict[str, Any], schema: str, where: str, write_only: set[str] = frozenset()
    ) -> None:
        if not isinstance(value, dict):
            self.problems.append(
                f"{where}: bunq's spec has an object ({schema}), the answer has {_type_name(value)}"
            )
            return
        for key, element in value.items():
            if key in fields and key not in write_only:
                self.value(element, fields[key], f"{where}.{key}")
            elif (schema, key) not in FIELDS_BUNQ_SENDS:
                why = "only in requests" if key in write_only else "not in bunq's spec"
                self.problems.append(f"{where}.{key}: field {why} for {schema}")

    def answer(self, operation: Operation, payload: Any) -> None:
        if not isinstance(payload, dict) or not isinstance(payload.get("Response"), list):
            self.problems.append(f"the answer is not {{'Response': [...]}}: {str(payload)[:80]}")
            return
        allowed_top = {"Response", "Pagination"} if operation.response["list"] else {"Response"}
        for key in sorted(set(payload) - allowed_top):
            self.problems.append(f"top-level key {key!r} is not in bunq's answers to {operation.label}")
        if "Pagination" in payload:
            self.value(payload["Pagination"], {key: "string" for key in PAGINATION_KEYS}, "Pagination")
        wrappers = wrappers_for(operation)
        for index, item in enumerate(payload["Response"]):
            where = f"Response[{index}]"
            if not isinstance(item, dict) or len(item) != 1:
                self.problems.append(f"{where}: each item must be one object under one wrapper key")
                continue
            [(key, body)] = item.items()
            if key not in wrappers:
                expected = ", ".join(sorted(wrappers)) or "no items at all"
                self.problems.append(f"{where}: wrapper {key!r}; bunq's spec has {expected}")
                continue
            self.value(body, wrappers[key], f"{where}.{key}")


def operation_for(method: str, template: str) -> Operation | None:
    """The catalogue's entry for a route's method and template."""
    return load_catalogue().get(method, template)


def check_answer(method: str, template: str, payload: Any) -> list[str]:
    """What in one 200 answer does not fit bunq's spec for (method, template); empty when it fits."""
    operation = operation_for(method, template)
    if operation is None:
        return [f"{method} {template} is not an operation in bunq's spec"]
    if operation.response["kind"] == "content":
        return []  # raw bytes, not JSON
    checker = _Checker()
    checker.answer(operation, payload)
    return checker.problems


def check_body(method: str, template: str, body: bytes) -> list[str]:
    """``check_answer`` for the body bytes as sent (content endpoints answer bytes, not JSON)."""
    operation = operation_for(method, template)
    if operation is not None and operation.response["kind"] == "content":
        return []
    try:
        payload = json.loads(body)
    except ValueError:
        return [f"the answer to {method} {template} is not JSON: {body[:60]!r}"]
    return check_answer(method, template, payload)


class SpecWatch:
    """Checks the answers it is shown; keeps the problems until a test takes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._problems: list[str] = []
        self.exercised: set[tuple[str, str]] = set()
        self.answers_checked = 0

    def __call__(self, answer: Answer) -> None:
        if answer.response.status != 200 or answer.route is None:
            return
        route, request = answer.route, answer.request
        problems = check_body(route.method, route.template, answer.response.body)
        with self._lock:
            self.answers_checked += 1
            self.exercised.add((route.method, shape_of(route.template)))
            self._problems.extend(f"{request.method} /v1/{request.route_path}: {p}" for p in problems)

    def take(self) -> list[str]:
        """The problems found since the last call."""
        with self._lock:
            problems, self._problems = self._problems, []
        return problems
