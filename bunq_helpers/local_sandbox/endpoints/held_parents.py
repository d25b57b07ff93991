"""Note parents that are kit families: bunq's path segment -> the ``Owned`` chain that finds one."""

from __future__ import annotations

from .bunqme_fundraisers import RESULT
from .card_actions import MASTERCARD_ACTION
from .merchant_transactions import ADYEN, IDEAL, OPEN_BANKING, SOFORT
from .switch_service import SWITCHED

NOTED = {
    "mastercard-action": MASTERCARD_ACTION,
    "ideal-merchant-transaction": IDEAL,
    "sofort-merchant-transaction": SOFORT,
    "switch-service-payment": SWITCHED,
    "adyen-card-transaction": ADYEN,
    "open-banking-merchant-transaction": OPEN_BANKING,
    "bunqme-fundraiser-result": RESULT,
}
