"""Run INSIDE the bunq-sdk virtual environment (not ours): OAuth and PSD2 with bunq's official Python SDK.

    python sdk_oauth_script.py psd2  BASE_URL CA_FILE CERT_FILE KEY_FILE CHAIN_FILE
    python sdk_oauth_script.py oauth BASE_URL CA_FILE OWNER_API_KEY GRANTING_USER_ID

The SDK is pointed at the local sandbox as ``sdk_script.py`` points it (the SANDBOX enum's base URL,
the CA in REQUESTS_CA_BUNDLE). Its OAuth hosts are class constants (``OauthAuthorizationUri.
AUTH_URI_FORMAT_SANDBOX``, ``OauthAccessToken.TOKEN_URI_FORMAT_SANDBOX``): they are set to the sandbox's
origin, in the format each method fills (``str.format``; bunq-sdk 1.28.0's own token constant ends in
``?%s``, which ``str.format`` leaves as it is, so as shipped it sends no parameters at all). The user's
approval is the page's form, submitted with requests as a browser submits it. Nothing else is changed.
Prints one JSON line with what it saw.
"""

import json
import os
import sys
import warnings
from urllib.parse import parse_qs, urlsplit

warnings.simplefilter("ignore")  # the SDK warns about every field it does not model

REDIRECT = "https://app.example/sdk/callback"


def main() -> None:
    mode, base_url, ca_file = sys.argv[1:4]
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType

    ApiEnvironmentType.SANDBOX._uri_base = base_url
    if mode == "psd2":
        psd2(*sys.argv[4:7])
    else:
        oauth(base_url, ca_file, sys.argv[4], int(sys.argv[5]))


def _seen(context) -> dict:
    from bunq.sdk.context.bunq_context import BunqContext
    from bunq.sdk.model.generated.endpoint import MonetaryAccountBankApiObject

    BunqContext.load_api_context(context)
    accounts = MonetaryAccountBankApiObject.list().value
    return {
        "session_user_id": context.session_context.user_id,
        "accounts": [a.id_ for a in accounts],
    }


def psd2(cert_file: str, key_file: str, chain_file: str) -> None:
    from pathlib import Path

    from bunq.sdk.context.api_context import ApiContext
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType
    from bunq.sdk.context.bunq_context import BunqContext
    from bunq.sdk.model.generated.endpoint import UserApiObject

    def read(path: str) -> str:
        return Path(path).read_text()

    context = ApiContext.create_for_psd2(
        ApiEnvironmentType.SANDBOX, read(cert_file), read(key_file), [read(chain_file)], "sdk psd2"
    )
    BunqContext.load_api_context(context)
    user = UserApiObject.list().value[0].get_referenced_object()
    print(
        json.dumps(
            {
                "user_class": type(user).__name__,
                "user_id": user.id_,
                "session_user_id": context.session_context.user_id,
                "distinguished_name": user.certificate_distinguished_name,
            }
        )
    )


def oauth(base_url: str, ca_file: str, owner_api_key: str, granting_user_id: int) -> None:
    import requests
    from bunq.sdk.model.generated import endpoint

    # bunq-sdk 1.28.0's oauth_access_token.py and oauth_authorization_uri.py import ``OauthClient``, which
    # its generated endpoint module renamed ``OauthClientApiObject``: as shipped they cannot be imported.
    # The old name is given back; the classes themselves are bunq's, unchanged.
    endpoint.OauthClient = endpoint.OauthClientApiObject
    from bunq.sdk.context.api_context import ApiContext
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType
    from bunq.sdk.context.bunq_context import BunqContext
    from bunq.sdk.model.core.oauth_access_token import OauthAccessToken
    from bunq.sdk.model.core.oauth_authorization_uri import OauthAuthorizationUri
    from bunq.sdk.model.core.oauth_grant_type import OauthGrantType
    from bunq.sdk.model.core.oauth_response_type import OauthResponseType
    from bunq.sdk.model.generated.endpoint import OauthCallbackUrlApiObject, OauthClientApiObject

    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    shipped_token_format = OauthAccessToken.TOKEN_URI_FORMAT_SANDBOX
    OauthAuthorizationUri.AUTH_URI_FORMAT_SANDBOX = origin + "/auth?{}"
    OauthAccessToken.TOKEN_URI_FORMAT_SANDBOX = origin + "/v1/token?{}"

    owner = ApiContext.create(ApiEnvironmentType.SANDBOX, owner_api_key, "sdk oauth app owner")
    BunqContext.load_api_context(owner)
    client_id = OauthClientApiObject.create().value
    OauthCallbackUrlApiObject.create(client_id, REDIRECT)
    client = OauthClientApiObject.get(client_id).value
    uri = OauthAuthorizationUri.create(OauthResponseType.CODE, REDIRECT, client, "sdk-state")
    url = uri.authorization_uri

    # the user approves: the page's form, as a browser submits it
    page = requests.get(url, timeout=30)
    form = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
    approved = requests.post(
        origin + "/auth",
        data={**form, "user_id": str(granting_user_id), "decision": "approve"},
        allow_redirects=False,
        timeout=30,
    )
    redirect = parse_qs(urlsplit(approved.headers["Location"]).query)
    # OauthAccessToken.create is create_token_uri, an AnonymousApiClient POST, then from_json on the raw
    # response. Its from_json hands the converter the raw response object instead of its body, so it
    # raises TypeError whatever the server answered: the same three steps are run here, and from_json
    # is tried on the answer to show that.
    from bunq.sdk.http.anonymous_api_client import AnonymousApiClient

    token_uri = OauthAccessToken.create_token_uri(
        OauthGrantType.AUTHORIZATION_CODE.value, redirect["code"][0], REDIRECT, client
    )
    raw = AnonymousApiClient(BunqContext.api_context()).post(token_uri, bytearray(), {})
    try:
        OauthAccessToken.from_json(OauthAccessToken, raw)
        from_json = "ok"
    except TypeError as exc:
        from_json = f"TypeError: {exc}"
    answer = json.loads(raw.body_bytes)
    token = OauthAccessToken(answer["access_token"], answer["token_type"], answer.get("state"))

    context = ApiContext.create(ApiEnvironmentType.SANDBOX, token.token, "sdk oauth, acting for a user")
    seen = _seen(context)
    from bunq.sdk.model.generated.endpoint import UserApiObject

    user = UserApiObject.list().value[0].get_referenced_object()
    print(
        json.dumps(
            {
                "authorization_uri": url,
                "page_status": page.status_code,
                "redirect_state": redirect["state"][0],
                "token_type": token.token_type,
                "token_state": token.state,
                "shipped_token_format": shipped_token_format,
                "token_uri": token_uri.split("?")[1].split("&")[0],
                "from_json": from_json,
                "user_class": type(user).__name__,
                "granted_by": user.granted_by_user.get_referenced_object().id_,
                "requested_by": user.requested_by_user.get_referenced_object().id_,
                **seen,
            }
        )
    )


if __name__ == "__main__":
    main()
