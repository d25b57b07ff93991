"""bunq's endpoints as the local sandbox answers them, one module per family.

Each module holds its handlers and a ``ROUTES`` list; ``ROUTES`` here is all of them, in the order
the router tries them. A new family is a new module plus one line below.
"""

from __future__ import annotations

# -- opsmore: whitelists, certificate pins, external accounts, documents, ... --
from . import (
    annual_overviews,
    attachments,
    bunqme_fundraisers,
    bunqme_tabs,
    card_actions,
    cards,
    customer_statements,
    draft_payments,
    handshake,
    invoices,
    merchant_transactions,
    monetary_accounts,
    notes,
    notification_filters,
    oauth_clients,
    payment_batches,
    payments,
    permitted_ips,
    psd2,
    request_inquiries,
    request_inquiry_batches,
    request_responses,
    schedule_retries,
    scheduled_payments,
    schedules,
    switch_service,
    token_qr,
    tree_progress,
    user_events,
    users,
)

# isort: split
# -- opsmore: whitelists, certificate pins, external accounts, documents, user facts, avatars, ... --
from . import (
    auto_allocations,
    avatars,
    card_replacements,
    card_statements,
    certificate_pins,
    companies,
    documents,
    external_accounts,
    notification_channels,
    share_invites,
    user_facts,
    whitelists,
)

# -- branch opsfx --
# isort: split
from . import (
    bunqme_fundraiser_profiles,
    currency_cloud,
    currency_conversion,
    payment_service_provider,
    transaction_categories,
    transferwise,
)

# -- end of branch opsfx --

ROUTES = [
    *handshake.ROUTES,
    *users.ROUTES,
    *monetary_accounts.ROUTES,
    *request_inquiries.ROUTES,
    *payments.ROUTES,
    *permitted_ips.ROUTES,
    *request_responses.ROUTES,
    *request_inquiry_batches.ROUTES,
    *draft_payments.ROUTES,
    *payment_batches.ROUTES,
    *scheduled_payments.ROUTES,
    *schedules.ROUTES,
    *bunqme_tabs.ROUTES,
    *attachments.ROUTES,
    *notes.ROUTES,
    *user_events.ROUTES,
    *cards.ROUTES,
    *customer_statements.ROUTES,
    *notification_filters.ROUTES,
    *invoices.ROUTES,
    *tree_progress.ROUTES,
    *annual_overviews.ROUTES,
    *oauth_clients.ROUTES,
    *psd2.ROUTES,
    # -- opsmore --
    *whitelists.ROUTES,
    *certificate_pins.ROUTES,
    *external_accounts.ROUTES,
    *documents.ROUTES,
    *user_facts.ROUTES,
    *avatars.ROUTES,
    *notification_channels.ROUTES,
    *share_invites.ROUTES,
    *companies.ROUTES,
    *auto_allocations.ROUTES,
    *card_statements.ROUTES,
    *card_replacements.ROUTES,
    # -- branch opsfx --
    *transferwise.ROUTES,
    *currency_cloud.ROUTES,
    *currency_conversion.ROUTES,
    *payment_service_provider.ROUTES,
    *transaction_categories.ROUTES,
    *bunqme_fundraiser_profiles.ROUTES,
    # -- end of branch opsfx --
    # opsnotes
    *card_actions.ROUTES,
    *merchant_transactions.ROUTES,
    *token_qr.ROUTES,
    *schedule_retries.ROUTES,
    *switch_service.ROUTES,
    *bunqme_fundraisers.ROUTES,
]
