"""Run INSIDE the bunq-sdk virtual environment (not ours): drives bunq's official Python SDK.

    python sdk_script.py create  BASE_URL CA_FILE API_KEY CONTEXT_OUT
    python sdk_script.py restore BASE_URL CA_FILE CONTEXT_IN

The SDK hard-codes bunq's URLs; it is pointed at the local sandbox as the README's section "The local
sandbox on its own" describes (set the SANDBOX enum's base URL, trust the CA with REQUESTS_CA_BUNDLE).
Nothing else is changed.
Prints one JSON line with what it saw.
"""

import json
import os
import sys
import warnings

warnings.simplefilter("ignore")  # the SDK warns about every field it does not model


def main() -> None:
    mode, base_url, ca_file = sys.argv[1:4]
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file
    from bunq.sdk.context.api_context import ApiContext
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType
    from bunq.sdk.context.bunq_context import BunqContext
    from bunq.sdk.model.generated.endpoint import MonetaryAccountBankApiObject, UserApiObject

    ApiEnvironmentType.SANDBOX._uri_base = base_url
    if mode == "create":
        api_key, out = sys.argv[4:6]
        context = ApiContext.create(ApiEnvironmentType.SANDBOX, api_key, "bunq-sdk against the local sandbox")
        context.save(out)
    else:
        context = ApiContext.restore(sys.argv[4])
    session_token_before = context.session_context.token
    BunqContext.load_api_context(context)
    users = UserApiObject.list().value
    user = users[0].get_referenced_object()
    accounts = MonetaryAccountBankApiObject.list().value
    print(
        json.dumps(
            {
                "user_id": user.id_,
                "user_class": type(user).__name__,
                "session_reused": context.session_context.token == session_token_before,
                "accounts": [{"id": a.id_, "status": a.status, "balance": a.balance.value} for a in accounts],
                "primary_account": BunqContext.user_context().primary_monetary_account.id_,
            }
        )
    )


main()
