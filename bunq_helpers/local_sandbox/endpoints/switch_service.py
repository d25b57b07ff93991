"""``switch-service-payment``: a payment sent to the IBAN a user switched away from, forwarded to their
bunq account by the Dutch bank switch service (Overstapservice), read with its notes.

bunq's API has no call that starts a switch: bunq and the other bank arrange it. The local sandbox's
stand-in is ``bank.merchant_payments.forward_switched`` (for ``/_sandbox/trigger/``): it books the
incoming SEPA payment (``EBA_SCT``) and the switch-service row. The switch shows ``status`` ACCEPTED from
the first forwarded payment for ``SWITCH_LIFETIME`` (the Overstapservice forwards for 13 months); bunq
does not document its status values, so ACCEPTED is our choice.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bank.ledger import account_and_owner
from ..kit import ACCOUNT, Owned, plain_family
from ..render import counterparty_label, label_user, own_label, payment_object, timestamp

SWITCH_LIFETIME = 13 * 30 * 24 * 3600  # seconds: 13 months of forwarding
SWITCHED = Owned(
    "switch_service_payments",
    "BankSwitchServiceNetherlandsIncomingPayment",
    parent=ACCOUNT,
    link="account_id",
)


def switched_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """The switch service's side and the Payment it forwarded."""
    account, user = account_and_owner(db, row["account_id"])
    payment = db.execute("SELECT * FROM payments WHERE id = ?", (row["payment_id"],)).fetchone()
    started = timestamp(row["time_switched"])
    return {
        "bank_switch_service": {
            "alias": own_label(account, user),
            "counterparty_alias": counterparty_label(
                {"type": "IBAN", "value": row["old_iban"], "name": user["display_name"]}
            ),
            "user_alias": label_user(user),
            "status": "ACCEPTED",
            "sub_status": "NONE",
            "time_start_desired": started,
            "time_start_actual": started,
            "time_end": timestamp(row["time_switched"] + SWITCH_LIFETIME),
        },
        "payment": payment_object(payment, account, user),
    }


ROUTES = plain_family(
    SWITCHED, read_op="READ_SwitchServicePayment_for_User_MonetaryAccount", render=switched_object
)
