"""Every table of the local sandbox, declared once: its columns, the first id of its range, and its place
in the order tables are created (parents first; a reset deletes in the reverse order, children first).

Ids come from separate ranges per kind (users from 1_000_001, accounts from 2_000_001, ...) so a
client that puts a user id where an account id belongs gets a 404 instead of a lucky match.
Money is kept in integer cents. A table without an id base is keyed by another table's id.
A new family adds one ``entity`` here (its id base a fresh multiple of a million; ``entity`` adds the
``id``, ``created`` and ``updated`` columns every such table has); ``Store`` creates it, seeds its id range,
resets it and snapshots it. A table outside that frame is a plain ``Table`` with its whole ``CREATE``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """One table: its name, ``CREATE`` statements (table and indexes) and first id (None: keyed by another)."""

    name: str
    ddl: str
    id_base: int | None = None


def entity(name: str, id_base: int, columns: str, indexes: str = "") -> Table:
    """A table in the usual frame: ``id`` counting up from ``id_base``, the ``columns`` (each ending in a
    comma; a comment on the first line describes the table), then ``created`` and ``updated``."""
    return Table(
        name,
        f"CREATE TABLE IF NOT EXISTS {name} (id INTEGER PRIMARY KEY AUTOINCREMENT,{columns}"
        f" created REAL NOT NULL, updated REAL NOT NULL);\n{indexes}",
        id_base,
    )


TABLES: tuple[Table, ...] = (
    entity(
        "users",
        1_000_000,
        """
        kind TEXT NOT NULL,                 -- UserPerson, UserCompany, UserApiKey or UserPaymentServiceProvider
        first_name TEXT, last_name TEXT, name TEXT,
        display_name TEXT NOT NULL, public_nick_name TEXT NOT NULL, email TEXT NOT NULL,
        public_uuid TEXT NOT NULL,
        session_timeout INTEGER NOT NULL,
        """,
    ),
    entity(
        "credentials",
        8_000_000,
        """  -- an API key and the IPs it may be used from
        user_id INTEGER NOT NULL REFERENCES users(id),
        api_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        wildcard INTEGER NOT NULL DEFAULT 0,
        """,
    ),
    entity(
        "permitted_ips",
        9_000_000,
        """
        credential_id INTEGER NOT NULL REFERENCES credentials(id),
        ip TEXT NOT NULL, status TEXT NOT NULL,
        """,
        "CREATE INDEX IF NOT EXISTS permitted_ips_by_credential ON permitted_ips(credential_id, ip);",
    ),
    entity(
        "accounts",
        2_000_000,
        """
        user_id INTEGER NOT NULL REFERENCES users(id),
        iban TEXT NOT NULL UNIQUE, description TEXT NOT NULL, currency TEXT NOT NULL,
        balance_cents INTEGER NOT NULL, status TEXT NOT NULL, public_uuid TEXT NOT NULL,
        """,
    ),
    entity(
        "events",
        10_000_000,
        """  -- what happened, pointing at the object it happened to
        user_id INTEGER NOT NULL REFERENCES users(id),
        account_id INTEGER,
        action TEXT NOT NULL,               -- CREATE, UPDATE, ...
        object_kind TEXT NOT NULL,          -- Payment, RequestInquiry, ...
        object_id INTEGER NOT NULL,
        """,
    ),
    entity(
        "request_inquiries",
        7_000_000,
        """
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, description TEXT NOT NULL,
        counterparty TEXT NOT NULL, status TEXT NOT NULL,
        credit_at REAL NOT NULL,
        """,
    ),
    entity(
        "payments",
        6_000_000,
        """
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, description TEXT NOT NULL,
        counterparty TEXT NOT NULL,         -- JSON of the counterparty label
        type TEXT NOT NULL, sub_type TEXT NOT NULL,
        balance_after_cents INTEGER NOT NULL,
        """,
    ),
    entity(
        "installations",
        3_000_000,
        """
        client_public_key TEXT NOT NULL,
        """,
    ),
    entity(
        "tokens",
        5_000_000,
        """  -- installation and session tokens in one registry
        token TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,                 -- installation or session
        installation_id INTEGER NOT NULL REFERENCES installations(id),
        """,
    ),
    entity(
        "devices",
        4_000_000,
        """
        installation_id INTEGER NOT NULL REFERENCES installations(id),
        credential_id INTEGER NOT NULL REFERENCES credentials(id),
        description TEXT NOT NULL, ip TEXT NOT NULL, status TEXT NOT NULL,
        """,
        "CREATE INDEX IF NOT EXISTS devices_by_installation ON devices(installation_id, credential_id);",
    ),
    entity(
        "notification_filters",
        40_000_000,
        """  -- callback URLs: on the user, or on one account
        user_id INTEGER NOT NULL REFERENCES users(id),
        account_id INTEGER REFERENCES accounts(id),  -- NULL for the user's own list
        category TEXT NOT NULL, target TEXT NOT NULL,
        """,
    ),
    Table(
        "sessions",
        """
        CREATE TABLE IF NOT EXISTS sessions (        -- id is the session token's id, as in bunq's answers
            id INTEGER PRIMARY KEY REFERENCES tokens(id),
            installation_id INTEGER NOT NULL,
            device_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            timeout INTEGER NOT NULL,
            expires_at REAL NOT NULL,
            closed INTEGER NOT NULL DEFAULT 0
        );
""",
        None,
    ),
    entity(
        "request_responses",
        41_000_000,
        """  -- the payer's side of a request between sandbox accounts
        account_id INTEGER NOT NULL REFERENCES accounts(id),    -- the account asked to pay
        inquiry_id INTEGER NOT NULL UNIQUE REFERENCES request_inquiries(id),  -- status lives there
        allow_amount_lower INTEGER NOT NULL, allow_amount_higher INTEGER NOT NULL,
        amount_responded_cents INTEGER, time_responded REAL,
        """,
    ),
    entity(
        "request_inquiry_batches",
        42_000_000,
        """
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        total_cents INTEGER NOT NULL, currency TEXT NOT NULL,
        inquiry_ids TEXT NOT NULL,          -- JSON list of request_inquiries ids
        """,
    ),
    entity(
        "draft_payments",
        43_000_000,
        """
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        status TEXT NOT NULL,               -- PENDING, ACCEPTED, REJECTED, CANCELLED
        schedule TEXT,                      -- JSON of the schedule asked for, if any
        result_kind TEXT, result_id INTEGER,  -- Payment, PaymentBatch or a schedule, once accepted
        """,
    ),
    Table(
        "draft_payment_entries",
        """
        CREATE TABLE IF NOT EXISTS draft_payment_entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            draft_id INTEGER NOT NULL REFERENCES draft_payments(id),
            amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, description TEXT NOT NULL,
            counterparty TEXT NOT NULL          -- JSON of the pointer the client sent
        );
""",
        44_000_000,
    ),
    entity(
        "payment_batches",
        45_000_000,
        """
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        payment_ids TEXT NOT NULL,          -- JSON list of the payer's payments ids
        """,
    ),
    entity(
        "schedules",
        46_000_000,
        """  -- schedule-payment and schedule-payment-batch share ids
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        kind TEXT NOT NULL,                 -- Payment or PaymentBatch
        entries TEXT NOT NULL,              -- JSON list of payment orders
        purpose TEXT,
        time_start REAL NOT NULL, time_end REAL,
        recurrence_unit TEXT NOT NULL, recurrence_size INTEGER NOT NULL,
        status TEXT NOT NULL,               -- ACTIVE, FINISHED, CANCELLED
        runs INTEGER NOT NULL DEFAULT 0,    -- occurrences handled so far
        next_run REAL,                      -- when the next occurrence is due; NULL once none is left
        """,
        "CREATE INDEX IF NOT EXISTS schedules_due ON schedules(status, next_run);",
    ),
    entity(
        "schedule_instances",
        47_000_000,
        """
        schedule_id INTEGER NOT NULL REFERENCES schedules(id),
        state TEXT NOT NULL,                -- FINISHED_SUCCESSFULLY or FAILED_USER_ERROR
        time_start REAL NOT NULL, time_end REAL NOT NULL,
        error TEXT,                         -- why it failed
        result_kind TEXT, result_id INTEGER,  -- the Payment or PaymentBatch it made
        """,
    ),
    entity(
        "bunqme_tabs",
        48_000_000,
        """
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        uuid TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,               -- WAITING_FOR_PAYMENT or CANCELLED (EXPIRED is shown from time_expiry)
        amount_cents INTEGER, currency TEXT NOT NULL, description TEXT NOT NULL, redirect_url TEXT,
        time_expiry REAL NOT NULL,
        """,
    ),
    Table(
        "user_profiles",
        """
        CREATE TABLE IF NOT EXISTS user_profiles (   -- the fields of UserPerson/UserCompany that users has no column for
            user_id INTEGER PRIMARY KEY REFERENCES users(id),
            data TEXT NOT NULL                  -- JSON object, field name -> value as bunq shows it
        );
""",
        None,
    ),
    Table(
        "account_details",
        """
        CREATE TABLE IF NOT EXISTS account_details (  -- what an account has beyond its row in accounts; none: a
            account_id INTEGER PRIMARY KEY REFERENCES accounts(id),  -- MonetaryAccountBank with the defaults
            kind TEXT NOT NULL,                 -- MonetaryAccountBank, MonetaryAccountSavings, MonetaryAccountJoint
            daily_limit_cents INTEGER NOT NULL,
            savings_goal_cents INTEGER,
            sub_status TEXT NOT NULL,
            reason TEXT, reason_description TEXT,
            display_name TEXT,
            setting TEXT NOT NULL,              -- JSON of MonetaryAccountSetting
            co_owners TEXT NOT NULL             -- JSON list of {"user_id", "alias", "status"}
        );
""",
        None,
    ),
    entity(
        "cards",
        21_000_000,
        """
        user_id INTEGER NOT NULL REFERENCES users(id),
        kind TEXT NOT NULL,                 -- CardDebit
        type TEXT NOT NULL, product_type TEXT NOT NULL,
        first_line TEXT NOT NULL, second_line TEXT NOT NULL,
        name_on_card TEXT NOT NULL, preferred_name_on_card TEXT,
        status TEXT NOT NULL, order_status TEXT NOT NULL,
        card_limit_cents INTEGER NOT NULL, card_limit_atm_cents INTEGER NOT NULL,
        account_id INTEGER NOT NULL REFERENCES accounts(id),   -- the account it was ordered on
        pin_code_assignment TEXT NOT NULL,  -- JSON list of {"type", "routing_type", "monetary_account_id"}
        fallback_account_id INTEGER,
        country_permission TEXT NOT NULL,   -- JSON list of {"country", "expiry_time"}
        last_four TEXT NOT NULL, expiry_date TEXT NOT NULL, public_uuid TEXT NOT NULL,
        """,
    ),
    entity(
        "card_cvc2",
        23_000_000,
        """  -- CVC2 codes generated for a card
        card_id INTEGER NOT NULL REFERENCES cards(id),
        type TEXT NOT NULL, cvc2 TEXT NOT NULL, status TEXT NOT NULL, expiry_time REAL NOT NULL,
        """,
    ),
    entity(
        "customer_statements",
        22_000_000,
        """
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        statement_format TEXT NOT NULL,     -- CSV, MT940 or PDF
        date_start TEXT NOT NULL, date_end TEXT NOT NULL,   -- YYYY-MM-DD, both included
        regional_format TEXT NOT NULL,
        statement_number INTEGER NOT NULL,  -- per account, counting from 1
        status TEXT NOT NULL,
        content BLOB NOT NULL,              -- the file, made when the export was created
        """,
    ),
    entity(
        "attachments",
        31_000_000,
        """  -- uploaded files; the bytes live here too (see Store)
        uuid TEXT NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES users(id),   -- who uploaded it
        account_id INTEGER REFERENCES accounts(id),      -- NULL for a public attachment
        description TEXT NOT NULL, content_type TEXT NOT NULL,
        content BLOB NOT NULL,
        """,
    ),
    entity(
        "notes",
        32_000_000,
        """  -- note-text and note-attachment on any parent object
        kind TEXT NOT NULL,                 -- note-text or note-attachment
        parent_kind TEXT NOT NULL,          -- the parent's path segment: payment, request-inquiry, ...
        parent_id INTEGER NOT NULL,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        user_id INTEGER NOT NULL REFERENCES users(id),   -- who wrote it
        content TEXT NOT NULL,              -- the text, or the attachment note's description
        attachment_id INTEGER REFERENCES attachments(id),
        """,
    ),
    entity(
        "export_annual_overviews",
        50_000_000,
        """
        user_id INTEGER NOT NULL REFERENCES users(id),
        year INTEGER NOT NULL,
        """,
    ),
    # OAuth apps and PSD2 providers (endpoints.oauth_clients, endpoints.psd2, oauth_grants).
    entity(
        "oauth_clients",
        51_000_000,
        """  -- an app a user registered; its secret is shown to its owner
        user_id INTEGER NOT NULL REFERENCES users(id),
        client_id TEXT NOT NULL UNIQUE, secret TEXT NOT NULL,
        display_name TEXT NOT NULL, status TEXT NOT NULL,   -- ACTIVE or CANCELLED
        """,
    ),
    entity(
        "oauth_callback_urls",
        52_000_000,
        """
        client_row_id INTEGER NOT NULL REFERENCES oauth_clients(id),
        url TEXT NOT NULL,
        """,
    ),
    entity(
        "oauth_codes",
        53_000_000,
        """  -- authorization codes: single use, short-lived
        code TEXT NOT NULL UNIQUE,
        client_row_id INTEGER NOT NULL REFERENCES oauth_clients(id),
        granted_by_user_id INTEGER NOT NULL REFERENCES users(id),
        redirect_uri TEXT NOT NULL, state TEXT,
        expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0,
        """,
    ),
    entity(
        "oauth_grants",
        54_000_000,
        """  -- an approved code exchanged: the UserApiKey and its token
        client_row_id INTEGER NOT NULL REFERENCES oauth_clients(id),
        user_api_key_id INTEGER NOT NULL UNIQUE REFERENCES users(id),  -- the UserApiKey's own user row
        granted_by_user_id INTEGER NOT NULL REFERENCES users(id),
        credential_id INTEGER NOT NULL REFERENCES credentials(id),     -- the access token, as an API key
        status TEXT NOT NULL,               -- ACTIVE or REVOKED
        """,
    ),
    entity(
        "psd2_credentials",
        55_000_000,
        """  -- payment-service-provider-credential
        installation_id INTEGER NOT NULL REFERENCES installations(id),
        user_id INTEGER NOT NULL REFERENCES users(id),             -- the UserPaymentServiceProvider
        credential_id INTEGER NOT NULL REFERENCES credentials(id), -- token_value, as an API key
        distinguished_name TEXT NOT NULL, fingerprint TEXT NOT NULL,
        expiry_time REAL NOT NULL,
        """,
    ),
    entity(
        "card_actions",
        49_000_000,
        """  -- MasterCardAction: a card payment at a merchant (a trigger)
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        card_id INTEGER,
        amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, description TEXT NOT NULL,
        merchant TEXT NOT NULL, city TEXT NOT NULL, merchant_category_code TEXT NOT NULL,
        decision TEXT NOT NULL,             -- ALLOWED, or why not (INSUFFICIENT_BALANCE, CARD_BLOCKED, ...)
        payment_id INTEGER,                 -- the Payment an allowed action booked
        """,
    ),
    # -- opsmore: whitelists, certificate pins, companies, external accounts, exports, shares, allocations --
    entity(
        "whitelist_sdds",
        70_000_000,
        """  -- direct debits a paying account lets through unasked
        user_id INTEGER NOT NULL REFERENCES users(id),
        type TEXT NOT NULL,                 -- ONE_OFF or RECURRING
        monetary_account_paying_id INTEGER NOT NULL REFERENCES accounts(id),
        monetary_account_incoming_id INTEGER NOT NULL REFERENCES accounts(id),  -- the collector
        request_id INTEGER NOT NULL,        -- the request-response that was whitelisted
        credit_scheme_identifier TEXT NOT NULL, mandate_identifier TEXT,
        maximum_amount_per_month_cents INTEGER, maximum_amount_per_payment_cents INTEGER,
        routing_type TEXT, status TEXT NOT NULL,
        """,
    ),
    entity(
        "certificate_pins",
        71_000_000,
        """  -- a user's pinned certificate chains (PEM)
        user_id INTEGER NOT NULL REFERENCES users(id),
        certificate_chain TEXT NOT NULL,
        """,
    ),
    entity(
        "companies",
        72_000_000,
        """  -- companies a person registered (user/{id}/company)
        user_id INTEGER NOT NULL REFERENCES users(id),
        name TEXT NOT NULL, country TEXT NOT NULL, legal_form TEXT NOT NULL,
        chamber_of_commerce_number TEXT, subscription_type TEXT NOT NULL,
        address_main TEXT NOT NULL, address_postal TEXT NOT NULL,  -- JSON Address objects
        public_uuid TEXT NOT NULL,
        """,
    ),
    entity(
        "external_accounts",
        73_000_000,
        """  -- accounts at other banks a user links (open banking)
        user_id INTEGER NOT NULL REFERENCES users(id),
        type TEXT NOT NULL,                 -- MonetaryAccountExternal or MonetaryAccountExternalSavings
        currency TEXT NOT NULL, description TEXT NOT NULL, display_name TEXT,
        service TEXT, status TEXT NOT NULL, sub_status TEXT NOT NULL,
        reason TEXT, reason_description TEXT,
        daily_limit_cents INTEGER, savings_goal_cents INTEGER,
        balance_cents INTEGER NOT NULL, public_uuid TEXT NOT NULL,
        """,
    ),
    entity(
        "export_ribs",
        74_000_000,
        """  -- RIB (relevé d'identité bancaire) documents of an account
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        """,
    ),
    entity(
        "share_invites",
        75_000_000,
        """  -- connect: an account shared with another sandbox user
        account_id INTEGER NOT NULL REFERENCES accounts(id),    -- the account shared
        user_id INTEGER NOT NULL REFERENCES users(id),          -- who shares it
        counter_user_id INTEGER NOT NULL REFERENCES users(id),  -- who is invited
        access_type TEXT NOT NULL,          -- VIEW_BALANCE, VIEW_TRANSACTION, DRAFT_PAYMENT, FULL_TRANSIENT
        relationship TEXT, start_date TEXT, end_date TEXT,
        status TEXT NOT NULL,   -- PENDING, ACCEPTED, REJECTED, REVOKED, CANCELLED (one row, both sides)
        """,
    ),
    entity(
        "auto_allocations",
        77_000_000,
        """  -- split incoming payments like one seen before
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        user_id INTEGER NOT NULL REFERENCES users(id),        -- the account's owner
        payment_id INTEGER NOT NULL REFERENCES payments(id),  -- the payment it was set up from
        type TEXT NOT NULL,                 -- ONCE or RECURRING
        status TEXT NOT NULL,               -- ACTIVE, or ENDED once a ONCE allocation ran
        trigger_amount_cents INTEGER NOT NULL,
        counterparty_value TEXT,            -- incoming payments from this IBAN or e-mail are allocated
        """,
    ),
    entity(
        "auto_allocation_definitions",
        79_000_000,
        """  -- where each part of a split goes
        payment_auto_allocate_id INTEGER NOT NULL REFERENCES auto_allocations(id) ON DELETE CASCADE,
        type TEXT NOT NULL,                      -- AMOUNT or PERCENTAGE
        amount_cents INTEGER, fraction INTEGER,  -- one of the two, as the allocation's type says
        counterparty_alias TEXT NOT NULL,        -- JSON Pointer
        description TEXT NOT NULL,
        """,
    ),
    entity(
        "auto_allocation_instances",
        78_000_000,
        """  -- one run of an allocation on a payment
        payment_auto_allocate_id INTEGER NOT NULL REFERENCES auto_allocations(id) ON DELETE CASCADE,
        payment_id INTEGER NOT NULL REFERENCES payments(id),  -- the incoming payment split
        status TEXT NOT NULL, error TEXT,   -- SUCCEEDED or FAILED (and why)
        payment_batch_id INTEGER REFERENCES payment_batches(id),
        """,
    ),
    entity(
        "avatars",
        100_000_000,
        """  -- public images made from a public attachment (avatar)
        uuid TEXT NOT NULL UNIQUE,
        attachment_id INTEGER NOT NULL REFERENCES attachments(id),
        """,
    ),
    entity(
        "notification_channels",
        101_000_000,
        """  -- which categories a user hears of by email or push
        user_id INTEGER NOT NULL REFERENCES users(id),
        channel TEXT NOT NULL,              -- EMAIL or PUSH
        category TEXT NOT NULL,
        """,
    ),
    entity(
        "card_statements",
        102_000_000,
        """  -- statement exports of one card (CSV or PDF)
        card_id INTEGER NOT NULL REFERENCES cards(id),
        type TEXT NOT NULL,                 -- CSV or PDF
        date_start TEXT NOT NULL, date_end TEXT NOT NULL,
        regional_format TEXT, status TEXT NOT NULL,
        """,
    ),
    entity(
        "event_statements",
        103_000_000,
        """  -- a payment's own statement, asked for through its event
        event_id INTEGER NOT NULL REFERENCES events(id),
        status TEXT NOT NULL,
        """,
    ),
    # -- branch opsfx: Transferwise, Currencycloud, currency conversion, PSD2 provider objects --------
    # (money as *_cents with its *_currency; *_json columns hold the JSON bunq shows; see kit.derived_renderer)
    *(
        entity(name, base, f" {columns},")
        for name, base, columns in (
            (
                "transferwise_users",
                80_000_000,
                "user_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,"
                " email TEXT NOT NULL, source TEXT NOT NULL",
            ),
            *(
                (
                    name,
                    base,
                    "user_id INTEGER NOT NULL REFERENCES users(id), quote_id TEXT NOT NULL,"
                    " currency_source TEXT NOT NULL, currency_target TEXT NOT NULL, rate TEXT NOT NULL,"
                    " amount_source_cents INTEGER NOT NULL, amount_source_currency TEXT NOT NULL,"
                    " amount_target_cents INTEGER NOT NULL, amount_target_currency TEXT NOT NULL,"
                    " amount_fee_cents INTEGER NOT NULL, amount_fee_currency TEXT NOT NULL,"
                    " time_expiry REAL NOT NULL, time_delivery_estimate REAL NOT NULL",
                )
                for name, base in (
                    ("transferwise_quotes", 81_000_000),
                    ("transferwise_quotes_temporary", 82_000_000),
                )
            ),
            (
                "transferwise_recipients",
                83_000_000,
                "quote_id INTEGER NOT NULL REFERENCES transferwise_quotes(id),"
                " name_account_holder TEXT NOT NULL, type TEXT NOT NULL, country TEXT, currency TEXT NOT NULL,"
                " account_number TEXT, bank_code TEXT, detail_json TEXT NOT NULL",
            ),
            (
                "transferwise_requirement_checks",
                84_000_000,
                "quote_id INTEGER NOT NULL REFERENCES"
                " transferwise_quotes(id), kind TEXT NOT NULL, detail_json TEXT NOT NULL",
            ),  # kind: recipient/transfer
            # recipient_id is kept after the recipient is deleted; payment_id: the payment into Wise
            (
                "transferwise_transfers",
                85_000_000,
                "quote_id INTEGER NOT NULL REFERENCES transferwise_quotes(id),"
                " recipient_id INTEGER NOT NULL, account_id INTEGER NOT NULL REFERENCES accounts(id),"
                " payment_id INTEGER NOT NULL, status TEXT NOT NULL, status_transferwise TEXT NOT NULL,"
                " reference TEXT NOT NULL, alias_json TEXT NOT NULL, counterparty_alias_json TEXT NOT NULL",
            ),
            (
                "currency_cloud_beneficiaries",
                86_000_000,
                "user_id INTEGER NOT NULL REFERENCES users(id),"
                " name TEXT NOT NULL, country TEXT NOT NULL, currency TEXT NOT NULL, legal_entity_type TEXT NOT NULL,"
                " payment_type TEXT NOT NULL, account_number TEXT NOT NULL, external_identifier TEXT NOT NULL,"
                " all_field_json TEXT NOT NULL",
            ),
            (
                "currency_cloud_payment_quotes",
                87_000_000,
                "account_id INTEGER NOT NULL REFERENCES accounts(id),"
                " pointers_json TEXT NOT NULL, amount_fee_cents INTEGER NOT NULL",
            ),
            # status: OPEN, then ACCEPTED (converted), REJECTED or EXPIRED
            (
                "currency_conversion_quotes",
                88_000_000,
                "account_id INTEGER NOT NULL REFERENCES accounts(id),"
                " status TEXT NOT NULL, order_type TEXT NOT NULL, counterparty_json TEXT NOT NULL, rate TEXT NOT NULL,"
                " amount_source_cents INTEGER NOT NULL, amount_source_currency TEXT NOT NULL,"
                " amount_target_cents INTEGER NOT NULL, amount_target_currency TEXT NOT NULL, time_expiry REAL NOT NULL",
            ),
            (
                "currency_conversions",
                120_000_000,
                "account_id INTEGER NOT NULL REFERENCES accounts(id),"
                " quote_id INTEGER NOT NULL REFERENCES currency_conversion_quotes(id), payment_id INTEGER NOT NULL,"
                " group_uuid TEXT NOT NULL, status TEXT NOT NULL, type TEXT NOT NULL, order_type TEXT NOT NULL,"
                " rate TEXT NOT NULL, amount_cents INTEGER NOT NULL, amount_currency TEXT NOT NULL,"
                " counter_amount_cents INTEGER NOT NULL, counter_amount_currency TEXT NOT NULL,"
                " label_monetary_account_json TEXT NOT NULL, counter_label_monetary_account_json TEXT NOT NULL,"
                " date_delivery_expected TEXT NOT NULL",
            ),
            (
                "psp_draft_payments",
                121_000_000,
                "user_id INTEGER NOT NULL REFERENCES users(id),"
                " sender_iban TEXT NOT NULL, sender_name TEXT, receiver_iban TEXT NOT NULL, counterparty_name TEXT,"
                " description TEXT NOT NULL, amount_cents INTEGER NOT NULL, status TEXT NOT NULL,"
                " draft_id INTEGER NOT NULL REFERENCES draft_payments(id)",
            ),
            (
                "psp_issuer_transactions",
                122_000_000,
                "user_id INTEGER NOT NULL REFERENCES users(id),"
                " public_uuid TEXT NOT NULL, alias_json TEXT NOT NULL, counterparty_alias_json TEXT NOT NULL,"
                " amount_cents INTEGER NOT NULL, description TEXT NOT NULL, url_redirect TEXT NOT NULL,"
                " time_expiry REAL, status TEXT NOT NULL",
            ),
            (
                "transaction_categories",
                123_000_000,
                "user_id INTEGER NOT NULL REFERENCES users(id),"
                " category TEXT NOT NULL, status TEXT NOT NULL, color TEXT, description TEXT, icon TEXT",
            ),
        )
    ),
    # -- end of branch opsfx --------------------------------------------------------------------------
    # opsnotes: top-ups and payments from outside, bunq.me (ids 60_000_000 to 69_000_000)
    *(
        entity(
            name,
            base,
            """  -- money into an account from outside, one way of paying each
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            amount_requested_cents INTEGER NOT NULL, amount_guaranteed_cents INTEGER, currency TEXT NOT NULL,
            issuer TEXT NOT NULL, issuer_name TEXT NOT NULL, status TEXT NOT NULL,
            transaction_identifier TEXT NOT NULL, purchase_identifier TEXT NOT NULL,
            payment_id INTEGER,                 -- the Payment that credited the account
            inquiry_id INTEGER REFERENCES request_inquiries(id),  -- a bunq payer's request (status there)
            """,
        )
        for name, base in (
            ("ideal_merchant_transactions", 61_000_000),
            ("sofort_merchant_transactions", 62_000_000),
            ("adyen_card_transactions", 64_000_000),
            ("open_banking_merchant_transactions", 65_000_000),
        )
    ),
    entity(
        "switch_service_payments",
        63_000_000,
        """  -- payments to a switched-from IBAN, forwarded
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        payment_id INTEGER NOT NULL REFERENCES payments(id),   -- the Payment that credited the account
        old_iban TEXT NOT NULL,             -- the account at the other bank the payment was sent to
        time_switched REAL NOT NULL,        -- when the switch started (its end: SWITCH_LIFETIME later)
        """,
    ),
    entity(
        "bunqme_fundraiser_results",
        67_000_000,
        """  -- a payment through an account's bunq.me page
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        payment_id INTEGER NOT NULL REFERENCES payments(id),
        """,
    ),
    entity(
        "card_challenges",
        124_000_000,
        """  -- 3-D Secure checks of online card payments
        user_id INTEGER NOT NULL REFERENCES users(id),
        account_id INTEGER NOT NULL REFERENCES accounts(id), card_id INTEGER,
        amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, merchant TEXT NOT NULL,
        city TEXT NOT NULL, merchant_category_code TEXT NOT NULL,
        status TEXT NOT NULL, expiry_time REAL NOT NULL, event_id INTEGER,
        action_id INTEGER,                  -- the MasterCardAction an ACCEPTED one went on to
        """,
    ),
    entity(
        "bunqme_tab_results",
        125_000_000,
        """  -- a sandbox user paid a bunq.me tab from an account
        tab_id INTEGER NOT NULL REFERENCES bunqme_tabs(id),
        account_id INTEGER NOT NULL REFERENCES accounts(id),        -- the payer's
        payment_id INTEGER NOT NULL REFERENCES payments(id),        -- the payer's side
        inquiry_payment_id INTEGER NOT NULL REFERENCES payments(id),  -- the tab owner's side
        """,
    ),
    entity(
        "invoices",
        126_000_000,
        """  -- bunq's bills to a user, each paid from an account
        user_id INTEGER NOT NULL REFERENCES users(id),
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        payment_id INTEGER NOT NULL REFERENCES payments(id),
        invoice_number TEXT NOT NULL, invoice_date TEXT NOT NULL, status TEXT NOT NULL,
        total_vat_inclusive_cents INTEGER NOT NULL, total_vat_exclusive_cents INTEGER NOT NULL,
        total_vat_cents INTEGER NOT NULL,
        """,
    ),
    entity(
        "invoice_exports",
        127_000_000,
        """  -- PDF exports of an invoice
        invoice_id INTEGER NOT NULL REFERENCES invoices(id),
        status TEXT NOT NULL,
        """,
    ),
)

ID_BASES = {table.name: table.id_base for table in TABLES if table.id_base is not None}
SCHEMA = "\n".join(table.ddl for table in TABLES)
RESET_ORDER = tuple(table.name for table in reversed(TABLES))  # children before their parents
