"""Run INSIDE the bunq-sdk virtual environment (not ours): a PSD2 provider's objects with bunq's SDK.

    python sdk_psp_script.py BASE_URL CA_FILE CERT_FILE KEY_FILE CHAIN_FILE SENDER_IBAN

``ApiContext.create_for_psd2`` with a test certificate, then as the provider: a draft payment from
SENDER_IBAN (read, cancelled, listed) and an issuer transaction (completed). Prints one JSON line.
"""

import json
import os
import sys
import warnings
from pathlib import Path

warnings.simplefilter("ignore")  # the SDK warns about every field it does not model


def main() -> None:
    base_url, ca_file, cert_file, key_file, chain_file, sender_iban = sys.argv[1:7]
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file
    from bunq.sdk.context.api_context import ApiContext
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType
    from bunq.sdk.context.bunq_context import BunqContext
    from bunq.sdk.model.generated import endpoint as e
    from bunq.sdk.model.generated.object_ import AmountObject, PointerObject

    ApiEnvironmentType.SANDBOX._uri_base = base_url
    read = [Path(path).read_text() for path in (cert_file, key_file, chain_file)]
    context = ApiContext.create_for_psd2(ApiEnvironmentType.SANDBOX, read[0], read[1], [read[2]], "sdk psp")
    BunqContext.load_api_context(context)
    draft = e.PaymentServiceProviderDraftPaymentApiObject
    draft_id = draft.create(
        sender_iban, "NL35BUNQ9900341392", "Shop", "order 7", AmountObject("1.00", "EUR")
    ).value
    first = draft.get(draft_id).value
    draft.update(draft_id, status="CANCELLED")
    issuer = e.PaymentServiceProviderIssuerTransactionApiObject
    cinema = PointerObject("IBAN", "NL35BUNQ9900341392", "Cinema")
    made = issuer.create(cinema, AmountObject("2.00", "EUR"), "ticket", "https://example.com/back").value
    issuer.update(made, status="COMPLETED")
    shown = issuer.get(made).value
    seen = {
        "draft": [first.status, first.sender_iban, first.receiver_iban, first.amount.value],
        "drafts_listed": [d.status for d in draft.list().value],
        "issuer": [
            shown.status,
            shown.amount.value,
            shown.counterparty_alias.label_monetary_account.iban,
            shown.url_redirect,
        ],
        "issuers_listed": [i.id_ for i in issuer.list().value] == [made],
        "provider": e.UserPaymentServiceProviderApiObject.get(
            context.session_context.user_id
        ).value.display_name,
    }
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
