"""bunq's Postman collection's OAuth folder, replayed with the host swapped for the local sandbox's.

Read from bunq/postman@12c192b6 (collections/bunq_public_API_collection.json) and written here in our
own words. The folder has two requests, both ``POST`` to bunq's OAuth hosts with their parameters in the
query string, the collection's usual headers (session token, request id, the old full-request
signature from their pre-request scripts) and, left over from another request, a monetary account's
JSON as the body:

- "Create an authorization request": ``https://oauth.sandbox.bunq.com/auth?response_type=code&
  client_id=&redirect_uri=`` ("Insert client_id and redirect_id ... run it in the browser. Scan the
  QR-code as a sandbox user with the sandbox app");
- "Create token exchange": ``https://api-oauth.sandbox.bunq.com/v1/token?grant_type=authorization_code&
  code=&redirect_uri=&client_id=&client_secret=``.

Their test scripts define the usual response parser and assert nothing, so what a run needs is a 2xx.
The replay fills the empty parameters as the descriptions say (an app registered first, the user's
approval given on the page between the two requests) and checks what comes back.
"""

from __future__ import annotations

from urllib.parse import quote

from bunq_helpers.crypto import keys, signing
from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Raw
from tests.local_sandbox.oauth_world import decide, origin, query_of, register_app, session_with
from tests.local_sandbox.postman import Postman, items_by_kind, jsrsasign_style_key, nanoid

LEFTOVER_BODY = (
    '{\n  "currency": "EUR",\n  "description": "my first test MA",\n  "daily_limit": {\n    "value": "100",\n'
    '    "currency": "EUR"\n  },\n  "status": "ACTIVE",\n  "setting": {\n    "default_avatar_status": '
    '"AVATAR_DEFAULT",\n    "restriction_chat": "ALLOW_INCOMING"\n  }\n}'
)


def _api_context(postman: Postman, key: keys.PrivateKey) -> tuple[str, int]:
    """The collection's "Create a sandbox user (person)" and "API context" folders: (session token, user id)."""
    api_key = items_by_kind(postman.send("POST", "sandbox-user-person", "", {"User-Agent": "postman"}))[
        "ApiKey"
    ][0]["api_key"]
    postman.environment["request_id"] = nanoid()
    pem = (keys.public_key_to_pem(key) + "\n").replace("\n", "\\n")
    installed = items_by_kind(
        postman.send(
            "POST",
            "installation",
            '{"client_public_key":"' + pem + '"}',
            postman.bunq_headers(cache_control=False),
        )
    )
    token = installed["Token"][0]["token"]
    device = '{\n\t"description": "Postman",\n\t"secret": "' + api_key + '",\n\t"permitted_ips": ["*"]\n}'
    assert postman.send("POST", "device-server", device, postman.bunq_headers(token=token)).status_code == 200
    body = '{\n\t"secret": "' + api_key + '"\n}'
    postman.environment["signature"] = signing.sign_body(key, body.encode())
    session = items_by_kind(postman.send("POST", "session-server", body, postman.bunq_headers(token=token)))
    return session["Token"][0]["token"], session["UserPerson"][0]["id"]


def _oauth_request(postman: Postman, key: keys.PrivateKey, session_token: str, path_with_query: str):
    """One request of the OAuth folder: its headers, its pre-request script's full-request signature."""
    headers = postman.bunq_headers(token=session_token)
    signed = "".join(
        f"{name}: {value}\n"
        for name, value in sorted(headers.items(), key=lambda pair: pair[0].upper())
        if (name in ("Cache-Control", "User-Agent") or name.startswith("X-Bunq-"))
        and name != "X-Bunq-Client-Signature"
    )
    text = f"POST {path_with_query}\n{signed}\n{LEFTOVER_BODY}"
    postman.environment["signature"] = signing.sign_body(key, text.encode("utf-8"))
    headers["X-Bunq-Client-Signature"] = postman.environment["signature"]
    sent = {"Content-Type": "application/json", **headers, "Accept": "*/*", "Postman-Token": nanoid(36)}
    return postman.http.request(
        "POST",
        origin(Raw(postman.sandbox)) + path_with_query,
        data=LEFTOVER_BODY.encode(),
        headers=sent,
        verify=postman.sandbox.ca_file,
        allow_redirects=False,
        timeout=30,
    )


def test_postman_oauth_folder_gets_2xx_with_the_host_swapped(sandbox: LocalSandbox, other_key) -> None:
    postman = Postman(sandbox)
    key = jsrsasign_style_key(2048)
    session_token, user_id = _api_context(postman, key)
    raw = Raw(sandbox)
    owner = type("Owner", (), {"user_id": user_id, "session_token": session_token})
    app = register_app(raw, owner, redirect_uri="https://postman.example/callback")  # in bunq's app, at bunq
    granting = raw.handshake(other_key)

    # "Create an authorization request", parameters filled in as its description asks
    authorization = f"/auth?response_type=code&client_id={app.client_id}&redirect_uri={app.redirect_uri}"
    page = _oauth_request(postman, key, session_token, authorization)
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<select name="user_id"' in page.text and app.client_id in page.text
    assert page.headers["X-Bunq-Client-Request-Id"] == postman.environment["request_id"]

    # the user approves (in a browser: the page's form)
    approved = decide(raw, app, granting.user_id, state=None)
    code = query_of(approved.headers["Location"])["code"]

    # "Create token exchange"
    exchange = (
        f"/v1/token?grant_type=authorization_code&code={code}&redirect_uri={quote(app.redirect_uri, safe='')}"
        f"&client_id={app.client_id}&client_secret={app.secret}"
    )
    answer = _oauth_request(postman, key, session_token, exchange)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer" and body["state"] is None and len(body["access_token"]) == 64
    server_key = keys.load_public_key(_server_key(raw))
    assert signing.verify_body(server_key, answer.content, answer.headers["X-Bunq-Server-Signature"])
    # the token works as an API key, for the user who approved
    session = session_with(raw, key, body["access_token"])
    assert (
        session.kind == "UserApiKey"
        and session.user["granted_by_user"]["UserPerson"]["id"] == granting.user_id
    )


def _server_key(raw: Raw) -> str:
    response = raw.call(
        "POST", "installation", {"client_public_key": keys.public_key_to_pem(keys.generate_private_key())}
    )
    return response.json()["Response"][2]["ServerPublicKey"]["server_public_key"]
