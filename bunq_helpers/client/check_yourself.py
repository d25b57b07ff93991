"""Check yourself: short exercises at the end of each notebook, checked with a verdict and the reason.

    from bunq_helpers import check_answer, check_signature, check_token

    answer = "b"                                  # the cell the learner fills
    check_answer("01-response-order", answer)     # Right / Not quite, and why

Three kinds: a question with lettered options (``QUESTIONS``, one row each: the options, the right
letter, why it is right and why each other option is not), which token a call takes
(``check_token``, by the same rule ``ApiSession`` applies) and signing bytes yourself
(``check_signature``, verified with the public key). An unanswered cell (``None``) says so instead of
marking it wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from ..crypto.keys import PrivateKey
from ..crypto.signing import verify_body
from .api_session import INSTALLATION_TOKEN_PATHS, NO_TOKEN_PATHS
from .display import BAD, GOOD


@dataclass(frozen=True)
class Verdict:
    """Right or not, and why; ``None`` when there was no answer yet."""

    right: bool | None
    why: str

    @property
    def title(self) -> str:
        return {True: "Right", False: "Not quite", None: "Not answered yet"}[self.right]

    def _repr_html_(self) -> str:
        colour = {True: GOOD, False: BAD, None: "inherit"}[self.right]
        return (
            f"<div style='margin:2px 0'><b style='color:{colour}'>{escape(self.title)}:</b> "
            f"{escape(self.why)}</div>"
        )

    def __repr__(self) -> str:
        return f"{self.title}: {self.why}"


UNANSWERED = "Fill in the answer cell above (replace None), run it, then run this cell again."


@dataclass(frozen=True)
class Question:
    """A question with lettered options: the right one, why, and why each other one is not."""

    options: dict[str, str]
    right: str
    why: str
    wrong: dict[str, str]


QUESTIONS: dict[str, Question] = {
    "01-response-order": Question(
        {
            "a": "Token, Id, ServerPublicKey",
            "b": "Id, Token, ServerPublicKey",
            "c": "ServerPublicKey, Token, Id",
        },
        "b",
        "bunq answers Id, Token, ServerPublicKey, always in this order, and its SDKs read them by position.",
        {"a": "The Id comes first, as in every answer that creates something.", "c": "The key comes last."},
    ),
    "01-which-half": Question(
        {"a": "the private key", "b": "the public key", "c": "both halves"},
        "b",
        "bunq gets the public key (PEM SubjectPublicKeyInfo) to check your signatures; the private key never leaves you.",
        {
            "a": "Whoever holds the private key can sign as you: it never leaves your machine.",
            "c": "Only the public half is sent; the private half signs, here.",
        },
    ),
    "02-no-permitted-ips": Question(
        {"a": "any IP may use the key", "b": "only the IP the call came from", "c": "no IP at all"},
        "b",
        "Left out, permitted_ips binds the key to the IP you called from; '*' would allow any IP.",
        {
            "a": "That is the wildcard '*', which you must ask for.",
            "c": "The key works, from the IP of the device call.",
        },
    ),
    "03-same-bytes-twice": Question(
        {"a": "the same signature", "b": "a different signature each time"},
        "a",
        "PKCS#1 v1.5 is deterministic: the same key over the same bytes gives the same signature.",
        {"b": "That is true of RSA-PSS, not of PKCS#1 v1.5, which bunq uses."},
    ),
    "04-status-466": Question(
        {"a": "the token is wrong", "b": "the call had to be signed and was not", "c": "too many calls"},
        "b",
        "466 is REQUEST SIGNATURE REQUIRED: session-server and payments must carry X-Bunq-Client-Signature.",
        {"a": "A wrong token gets 401 Insufficient authorisation.", "c": "Too many calls get 429."},
    ),
    "05-expired-session": Question(
        {
            "a": "make a new installation",
            "b": "open a new session with the installation token",
            "c": "register the device again",
        },
        "b",
        "Installations and devices do not expire; a new session-server call with the installation token is all it takes.",
        {
            "a": "The installation is still good; a new one would need a new device too.",
            "c": "The device is still registered; only the session expired.",
        },
    ),
    "05-after-429": Question(
        {
            "a": "retry at once until it works",
            "b": "wait, retry, and wait longer if it comes again",
            "c": "make a new API key",
        },
        "b",
        "Back off: bunq sends no Retry-After, so wait, retry, and double the wait on another 429.",
        {
            "a": "Retrying at once counts against the same limit and gets 429 again.",
            "c": "The limit is per endpoint and IP, not per key: a new key changes nothing.",
        },
    ),
    "06-wrong-pin": Question(
        {
            "a": "after the request is sent",
            "b": "before a byte of the request is written",
            "c": "when the answer's signature is checked",
        },
        "b",
        "The pin is checked right after the TLS handshake, so the request, with its token, never leaves your machine.",
        {
            "a": "Then the token would already have travelled to whoever answered.",
            "c": "The signature protects each answer; the pin protects the connection, earlier.",
        },
    ),
    "07-callback-bytes": Question(
        {
            "a": "the JSON, parsed and serialised again",
            "b": "the body bytes exactly as they arrived",
            "c": "the headers and the body",
        },
        "b",
        "bunq signs the body bytes only; any re-serialisation (bunq writes / as \\/) breaks the signature.",
        {
            "a": "Re-serialising changes bytes, and the signature no longer matches.",
            "c": "Only the body is signed.",
        },
    ),
    "07-unsigned-callback": Question(
        {"a": "act on it: it came to your URL", "b": "do not believe it; re-read the object from the API"},
        "b",
        "Anyone who finds your URL can POST to it: believe a callback only with a valid signature, or re-read the object.",
        {"a": "A POST to your URL proves nothing about who sent it."},
    ),
    "08-trailing-slash": Question(
        {
            "a": "https://budget-helper.example/oauth/callback/",
            "b": "https://budget-helper.example/oauth/callback",
            "c": "any URL on https://budget-helper.example",
        },
        "b",
        "The redirect_uri must match a registered URL character for character; the page refuses any other.",
        {
            "a": "The trailing slash makes it another URL: the page refuses it and never redirects there.",
            "c": "Only registered URLs, exactly as registered: the host alone proves nothing.",
        },
    ),
    "08-oauth-user": Question(
        {"a": "UserPerson, the user who approved", "b": "UserApiKey", "c": "UserPaymentServiceProvider"},
        "b",
        "A session made from an access token is a UserApiKey, with requested_by_user (the app's owner) and "
        "granted_by_user (who approved) inside; its own id goes in the paths.",
        {
            "a": "The granting user is inside it, as granted_by_user; the session's user is the UserApiKey.",
            "c": "That is the user of a session made with a PSD2 credential (notebook 9).",
        },
    ),
    "08-reused-code": Question(
        {"a": "the same access token again", "b": "a new access token", "c": "an OAuth error, invalid_grant"},
        "c",
        "Codes are single use: the second exchange is refused with invalid_grant; send the user to /auth again.",
        {
            "a": "A code works once; the token it gave stays valid, but the code gets nothing more.",
            "b": "A new token takes a new approval: a new code from the authorization page.",
        },
    ),
    "09-chain-last": Question(
        {
            "a": "your own (the provider's) certificate",
            "b": "any intermediate CA",
            "c": "the root, self-signed",
        },
        "c",
        "The chain must end in a root: 'Make sure that the last certificate in the chain is the root certificate.'",
        {
            "a": "Your certificate goes in the certificate field; a chain of only it is refused as not trusted.",
            "b": "A chain that stops at an intermediate does not end in a root, and is refused.",
        },
    ),
    "09-signed-string": Question(
        {
            "a": "the certificate's PEM",
            "b": "the installation's public key (PEM) and the installation token",
            "c": "the whole request body",
        },
        "b",
        "client_public_key_signature signs your installation's public key PEM and its token (sdk_python puts "
        "a newline between, sdk_java and sdk_php nothing), with the certificate's key.",
        {
            "a": "The certificate is sent as it is; what is signed ties this installation to it.",
            "c": "That is the request signature (X-Bunq-Client-Signature), made with the installation's key.",
        },
    ),
    "09-token-value": Question(
        {
            "a": "the session token",
            "b": "the API key, for device-server and session-server",
            "c": "the installation token",
        },
        "b",
        "token_value takes the API key's place: device-server and session-server, then a session as usual.",
        {
            "a": "The session token comes from session-server, which token_value opens.",
            "c": "The installation token came from step 1, and still authenticates device-server and session-server.",
        },
    ),
}


def check_answer(question: str, answer: str | None) -> Verdict:
    """The verdict on a lettered answer to ``QUESTIONS[question]``."""
    asked = QUESTIONS[question]
    if answer is None:
        return Verdict(None, UNANSWERED)
    letter = str(answer).strip().lower().rstrip(")")
    if letter == asked.right:
        return Verdict(True, asked.why)
    if letter not in asked.options:
        return Verdict(False, f"Answer with one of {', '.join(asked.options)}.")
    return Verdict(False, f"{asked.wrong[letter]} ({asked.right}: {asked.why})")


TOKENS = {"none": "no token", "installation": "the installation token", "session": "the session token"}


def token_for(path: str) -> str:
    """``none``, ``installation`` or ``session``: the token a call to ``/v1/…`` path takes."""
    path = "/v1/" + path.split("/v1/", 1)[-1].lstrip("/").split("?", 1)[0]
    if path in NO_TOKEN_PATHS:
        return "none"
    return "installation" if path in INSTALLATION_TOKEN_PATHS else "session"


def check_token(call: str, answer: str | None) -> Verdict:
    """Which token ``call`` (``"POST /v1/device-server"``) takes: ``none``, ``installation`` or ``session``."""
    if answer is None:
        return Verdict(None, UNANSWERED)
    right = token_for(call.split()[-1])
    given = str(answer).strip().lower().replace(" token", "")
    reasons = {
        "none": "the installation call is the only one with no token: bunq does not know your key yet"
        " (the sandbox-user calls need none either)",
        "installation": "device-server and session-server take the installation token: there is no session yet",
        "session": "every call after the handshake takes the session token",
    }
    if given == right:
        return Verdict(True, f"{call}: {TOKENS[right]}; {reasons[right]}.")
    if given not in TOKENS:
        return Verdict(False, "Answer none, installation or session.")
    return Verdict(False, f"{call} takes {TOKENS[right]}, not {TOKENS[given]}: {reasons[right]}.")


def check_signature(body: bytes, private_key: PrivateKey, answer: str | None) -> Verdict:
    """Whether ``answer`` is the base64 signature of exactly ``body`` with ``private_key``."""
    if answer is None:
        return Verdict(None, UNANSWERED)
    public = private_key.public_key()
    if verify_body(public, body, str(answer)):
        return Verdict(True, "It verifies with your public key over exactly these bytes, as bunq checks it.")
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if parsed is not None:
        for variant in (json.dumps(parsed), json.dumps(parsed, indent=2), json.dumps(parsed) + "\n"):
            if variant.encode() != body and verify_body(public, variant.encode(), str(answer)):
                return Verdict(
                    False, "You signed a re-serialised copy of the JSON: sign the bytes as they are."
                )
    return Verdict(
        False,
        "It does not verify over these bytes: sign exactly them (signing.sign_body(private_key, body)), "
        "with the private key of this context.",
    )
