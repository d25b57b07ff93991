"""Where the local sandbox differs from bunq's spec on purpose: one table per kind, each entry with its source.

bunq's OpenAPI description is generated and incomplete; where its real answers (as bunq's SDKs read
them, or as documented) differ, the real client wins (see the team's guide). The answer check
(``answer_check``, the ``strict_answers`` option) and the kit's request check (``kit.check_body``) read
these tables and nothing else, so every departure from the spec is listed here once.
"""

from __future__ import annotations

from typing import Any

from .catalogue import Operation

SDK = "bunq's Python SDK 1.28.0 (bunq/sdk/model/generated/endpoint.py)"

# (schema, field) bunq sends though its spec lacks it -> the source.
FIELDS_BUNQ_SENDS: dict[tuple[str, str], str] = {
    ("SessionServerToken", "created"): "bunq's session Token carries created/updated like the installation "
    "Token; the spec omits them (shared/bunq-protocol.md §17, §16.3)",
    ("SessionServerToken", "updated"): "as SessionServerToken.created",
    **{
        (schema, "id"): "every object bunq answers carries its id; without it a run's "
        "schedule-instance/{itemId} and its notes are reachable only by guessing (issue 22, found by "
        "bunq's SDK tour); bunq's SDK ignores fields it does not model"
        for schema in ("ScheduleInstance", "ScheduleInstanceListing", "ScheduleInstanceRead")
    },
    **{
        (
            schema,
            field,
        ): f"{SDK} and object_.py: OauthCallbackUrlObject carries id, created, updated and url; "
        "a callback URL's id is what its read, update and delete take"
        for schema in ("OauthCallbackUrl", "OauthCallbackUrlListing", "OauthCallbackUrlRead")
        for field in ("id", "created", "updated")
    },
    # -- opsmore --
    **{
        (schema, "category"): f"{SDK}: {schema}Object (a filter in the list) holds a category; the spec's "
        "schema of the same name is the list itself"
        for schema in ("NotificationFilterEmail", "NotificationFilterPush")
    },
    ("NotificationFilterFailureListing", "id"): "without it the ids notification-filter-failure's POST takes "
    "(notification_filter_failed_ids) are reachable only by guessing; bunq's SDK ignores fields it does not model",
    # opsnotes: ids without which a listed object (and its notes) is reachable only by guessing
    **{
        (schema, "id"): "every object bunq answers carries its id; the spec's iDEAL/Sofort transaction "
        "lacks it, so a listed one could be read only by guessing; bunq's SDK "
        "(IdealMerchantTransactionApiObject) ignores fields it does not model"
        for schema in (
            "IdealMerchantTransactionRead",
            "IdealMerchantTransactionListing",
            "SofortMerchantTransactionRead",
            "SofortMerchantTransactionListing",
        )
    },
    **{
        (schema, "id"): "every object bunq answers carries its id; without it the payer's event shows a paid "
        "bunq.me tab that bunqme-tab-result-response/{itemId} could read only by guessing"
        for schema in ("BunqMeTabResultResponse", "BunqMeTabResultResponseRead")
    },
}

# Wrapper keys bunq sends where its spec names none or another: (method, pattern on bunq's path
# template, the key, its fields (None: the operation's own schema in the spec), source). The spec
# does not name the wrapper of objects whose schema lists plain fields; the catalogue derives it from
# the schema's name, which for these objects is not the key bunq uses.
WRAPPERS_BUNQ_SENDS: list[tuple[str, str, str, Any, str]] = [  # fields: inline, a schema name, or None
    (  # opsnotes
        "GET",
        r"/user/\{userID\}/monetary-account/\{monetary-accountID\}/mastercard-action/\{mastercard-actionID\}/payment",
        "Payment",
        "PaymentRead",
        f"{SDK}: MasterCardPaymentApiObject.list reads 'Payment', not the spec's MasterCardPayment",
    ),
    (  # opsnotes
        "POST",
        r"/user/\{userID\}/token-qr-request-ideal",
        "RequestResponse",
        None,
        f"{SDK}: TokenQrRequestIdealApiObject.create reads 'RequestResponse' (doc.bunq.com/token-qr-request-ideal: "
        "it returns a RequestResponse)",
    ),
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
    # -- opsmore --
    ("GET", r"/user/\{userID\}/insights", "InsightCategory", None, f"{SDK}: InsightApiObject reads it"),
    (
        "GET",
        r"/user/\{userID\}/insights-search",
        "Event",
        "EventListing",
        f"{SDK}: InsightEventApiObject reads 'Event'",
    ),
    (
        "GET",
        r"/user/\{userID\}/legal-name",
        "UserLegalNameArray",
        None,
        f"{SDK}: UserLegalNameApiObject reads it",
    ),
    (
        "GET",
        r"/health-check",
        "HealthCheckResult",
        {"HealthResult": "HealthCheckResult"},
        f"{SDK}: HealthCheckApiObject unwraps 'HealthCheckResult', an anchor whose field is HealthResult",
    ),
    (
        "GET",
        r"/user/\{userID\}/payment-auto-allocate",
        "PaymentAutoAllocate",
        "PaymentAutoAllocateRead",
        f"{SDK}: PaymentAutoAllocateUserApiObject is an anchor over PaymentAutoAllocateApiObject (the read "
        "shape); the spec's schema there is the request's",
    ),
    (
        "GET",
        r"/device(/\{itemId\})?",
        "DeviceServer",
        "DeviceServerRead",
        f"{SDK}: DeviceApiObject is an anchor over DeviceServerApiObject, which reads device-server's fields",
    ),
    *(
        (
            "POST",
            rf"/user/\{{userID\}}/notification-filter-{channel}",
            f"NotificationFilter{channel.title()}",
            f"NotificationFilter{channel.title()}Listing",
            f"{SDK}: NotificationFilter{channel.title()}ApiObject.create reads the new list under "
            f"'NotificationFilter{channel.title()}', not an Id (as notification-filter-url answers)",
        )
        for channel in ("email", "push")
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


# Request fields clients send though the operation's request schema lacks them: operation id ->
# {field: source}. The kit's body check accepts these; every other unknown field is bunq's 400.
# Also fields another kind of the same object has, left to the handler to refuse in words that name
# that kind (``display_name`` is only for bank accounts).
_OTHER_KIND = "refused by the handler, which names the kind of account that has it"
REQUEST_FIELDS_TOLERATED: dict[str, dict[str, str]] = {
    "UPDATE_MonetaryAccountBank_for_User": {"savings_goal": _OTHER_KIND},
    "UPDATE_MonetaryAccountJoint_for_User": {"display_name": _OTHER_KIND},
    **{
        operation_id: {
            "display_name": "an app's name, which bunq shows in OauthClient but lets you set only in its app; "
            "the local sandbox, which has no app, takes it here (endpoints.oauth_clients)"
        }
        for operation_id in ("CREATE_OauthClient_for_User", "UPDATE_OauthClient_for_User")
    },
    # -- opsmore --
    "CREATE_Avatar": {
        "attachment_public_uuid": f"{SDK}: AvatarApiObject.create sends it; the spec says uuid"
    },
}

# Request schemas replaced where bunq's spec is wrong about what its own clients must send:
# operation id -> (fields and required list as in catalogue.json, source).
_RAW = (
    "the body is the file's own bytes with its Content-Type (bunq's attachment docs; {sdk}: "
    "{name}.create sends the bytes); the spec lists a JSON body"
)
REQUEST_SCHEMAS_BUNQ_TAKES: dict[str, tuple[dict[str, Any] | None, str]] = {
    "CREATE_AttachmentPublic": (None, _RAW.format(sdk=SDK, name="AttachmentPublicApiObject")),
    "CREATE_Attachment_for_User_MonetaryAccount": (
        None,
        _RAW.format(sdk=SDK, name="AttachmentMonetaryAccountApiObject"),
    ),
}

# Fields the spec marks required that bunq defaults (or, on an update, leaves as they are): operation
# id -> {field: source}. The handler applies the default.
_UPDATE_CHANGES_WHAT_IT_NAMES = (
    "an update changes only the fields it sends ({sdk}: {name}.update takes every field as optional)"
)
REQUIRED_BUT_DEFAULTED: dict[str, dict[str, str]] = {
    "CREATE_RequestInquiry_for_User_MonetaryAccount": {
        "allow_bunqme": "bunq's Postman collection's 'Create request' body and bunq's docs' request "
        "example omit it; the sandbox defaults it to false"
    },
    "UPDATE_RequestInquiry_for_User_MonetaryAccount": {
        "allow_bunqme": _UPDATE_CHANGES_WHAT_IT_NAMES.format(sdk=SDK, name="RequestInquiryApiObject")
    },
    "UPDATE_DraftPayment_for_User_MonetaryAccount": {
        field: _UPDATE_CHANGES_WHAT_IT_NAMES.format(sdk=SDK, name="DraftPaymentApiObject")
        for field in ("entries", "number_of_required_accepts")
    },
    "UPDATE_BunqmeTab_for_User_MonetaryAccount": {
        "bunqme_tab_entry": _UPDATE_CHANGES_WHAT_IT_NAMES.format(sdk=SDK, name="BunqMeTabApiObject")
    },
    "UPDATE_Ip_for_User_CredentialPasswordIp": {
        "ip": "bunq's docs: an IP cannot be edited, only its status changed (mark it INACTIVE, add a new one)"
    },
}

# Request fields bunq takes in another type besides the spec's: (operation id, field) -> (type, source).
REQUEST_TYPES_BUNQ_TAKES: dict[tuple[str, str], tuple[Any, str]] = {
    ("CREATE_PaymentBatch_for_User_MonetaryAccount", "payments"): (
        ["Payment"],
        f"{SDK}: PaymentBatchApiObject.create sends payments as a list of Payment objects; the spec "
        'wraps them as {"Payment": [...]} (both are taken)',
    ),
}


# The same, for every operation whose id starts so (bunq has one per kind of note parent).
REQUIRED_BUT_DEFAULTED_BY_PREFIX: dict[str, dict[str, str]] = {
    "UPDATE_NoteAttachment_": {
        "attachment_id": _UPDATE_CHANGES_WHAT_IT_NAMES.format(sdk=SDK, name="NoteAttachment…ApiObject")
    },
}


def defaulted_fields(operation_id: str) -> dict[str, str]:
    """The required fields bunq defaults for this operation, each with its source."""
    found = dict(REQUIRED_BUT_DEFAULTED.get(operation_id, {}))
    for prefix, fields in REQUIRED_BUT_DEFAULTED_BY_PREFIX.items():
        if operation_id.startswith(prefix):
            found.update(fields)
    return found


def request_schema(operation: Operation) -> dict[str, Any] | None:
    """The request fields an operation takes: the spec's, unless replaced above."""
    replaced = REQUEST_SCHEMAS_BUNQ_TAKES.get(operation.operation_id)
    return replaced[0] if replaced is not None else operation.request


# -- branch opsfx: Transferwise, currency conversion, PSD2 provider objects, confirmation of funds --------
_READS = "bunq's Python SDK 1.28.0 reads it (endpoint.py: {name}ApiObject._OBJECT_TYPE_GET = {key!r})"
_U, _TWQ = r"/user/\{userID\}/", r"/user/\{userID\}/transferwise-quote/\{transferwise-quoteID\}/transferwise-"
WRAPPERS_BUNQ_SENDS.extend(
    ("GET", pattern, key, None, _READS.format(name=name, key=key))
    for pattern, key, name in (
        (_U + r"transferwise-quote-temporary/\{itemId\}", "TransferwiseQuote", "TransferwiseQuoteTemporary"),
        (_TWQ + r"recipient(/\{itemId\})?", "TransferwiseRecipient", "TransferwiseAccountQuote"),
        (_TWQ + "recipient-requirement", "TransferwiseRequirement", "TransferwiseAccountRequirement"),
        (_TWQ + r"transfer(/\{itemId\})?", "TransferwisePayment", "TransferwiseTransfer"),
        (_U + r"invoice(/\{itemId\})?", "Invoice", "InvoiceByUser"),
        (
            _U + r"bunqme-fundraiser-profile(/\{itemId\})?",
            "BunqMeFundraiserProfile",
            "BunqMeFundraiserProfileUser",
        ),
    )
)
WRAPPERS_BUNQ_SENDS.append(
    (
        "POST",
        _U + "confirmation-of-funds",
        "ConfirmationOfFunds",
        {"has_sufficient_funds": "boolean"},
        f"{SDK}: ConfirmationOfFundsApiObject.create reads 'ConfirmationOfFunds' with has_sufficient_funds",
    )
)
FIELDS_BUNQ_SENDS.update(
    {
        (
            schema,
            "id",
        ): "every object bunq answers carries its id; without it a transfer or a provider's draft "
        "payment listed here could not be read by id (the spec's read takes one)"
        for schema in (
            "TransferwiseTransferListing",
            "TransferwiseTransferRead",
            "PaymentServiceProviderDraftPaymentListing",
            "PaymentServiceProviderDraftPaymentRead",
        )
    }
)
REQUIRED_BUT_DEFAULTED.update(
    {
        operation_id: {field: _UPDATE_CHANGES_WHAT_IT_NAMES.format(sdk=SDK, name=name) for field in fields}
        for operation_id, name, fields in (
            (
                "UPDATE_CurrencyConversionQuote_for_User_MonetaryAccount",
                "CurrencyConversionQuoteApiObject",
                ("amount", "counterparty_alias", "currency_source", "currency_target", "order_type"),
            ),
            (
                "UPDATE_PaymentServiceProviderDraftPayment_for_User",
                "PaymentServiceProviderDraftPaymentApiObject",
                ("amount", "counterparty_iban", "counterparty_name", "description", "sender_iban"),
            ),
            (
                "UPDATE_PaymentServiceProviderIssuerTransaction_for_User",
                "PaymentServiceProviderIssuerTransactionApiObject",
                ("amount", "counterparty_alias", "description", "url_redirect"),
            ),
        )
    }
)
# -- end of branch opsfx ------------------------------------------------------------------------------------
WRAPPERS_BUNQ_SENDS.append(
    (
        "GET",
        _U + r"challenge-request/\{itemId\}",
        "MasterCardIdentityCheckChallengeRequest",
        "MasterCardIdentityCheckChallengeRequestUserRead",
        _READS.format(
            name="MasterCardIdentityCheckChallengeRequestUser", key="MasterCardIdentityCheckChallengeRequest"
        )
        + "; so do its C#, Java and PHP SDKs",
    )
)
