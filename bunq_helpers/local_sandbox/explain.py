"""Why a call was refused, in words: what only a sandbox that holds both sides can say. Pure functions.

bunq answers a bad signature with ``The request signature is invalid.`` and nothing more. The local
sandbox has the installation's public key, so it runs the RSA public operation on the signature
(``s^e mod n``). PKCS#1 v1.5 signatures keep what was signed in the clear: ``00 01 FF..FF 00``, then
a DER DigestInfo naming the hash and holding the digest. With that digest in hand, the sandbox
hashes the usual wrong inputs (the body re-serialised, with a newline, the pre-2020 string of
method, path, headers and body, the URL alone, an empty body) and says which one the client signed.

Each ``explain_*`` function returns an ``Explanation``: a short ``cause`` code (stable, for tests and
filters) and a ``text`` that names the cause and the fix. Secrets never appear in a text whole:
API keys and tokens are shown as their first characters (``mask``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

MASK = "…"

# DER prefixes of DigestInfo (RFC 8017 §9.2, note 1): hash name -> (prefix, hashlib name).
DIGEST_INFO = {
    "SHA-256": (bytes.fromhex("3031300d060960864801650304020105000420"), "sha256"),
    "SHA-1": (bytes.fromhex("3021300906052b0e03021a05000414"), "sha1"),
    "SHA-224": (bytes.fromhex("302d300d06096086480165030402040500041c"), "sha224"),
    "SHA-384": (bytes.fromhex("3041300d060960864801650304020205000430"), "sha384"),
    "SHA-512": (bytes.fromhex("3051300d060960864801650304020305000440"), "sha512"),
    "MD5": (bytes.fromhex("3020300c06082a864886f70d020505000410"), "md5"),
}
# The headers the pre-2020 scheme signed: Cache-Control, User-Agent and every X-Bunq- header but the signature.
_OLD_SCHEME_HEADERS = ("cache-control", "user-agent")


@dataclass(frozen=True)
class Explanation:
    """Why a call was refused: a stable ``cause`` code and a sentence or two with the fix."""

    cause: str
    text: str


def mask(value: str | None) -> str:
    """An API key or token as its first characters: ``sandbox_a918…``, ``a4f9d8…``."""
    if not value:
        return "(none)"
    keep = len("sandbox_") + 4 if value.startswith("sandbox_") else 6
    return value[:keep] + MASK if len(value) > keep else MASK


def iso(timestamp: float) -> str:
    """A sandbox time as ISO 8601 UTC, to the second."""
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


# -- signatures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedRequest:
    """What the signature check saw: method, path with query, headers (lower-cased names), body."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes


def recover_digest(public_key: rsa.RSAPublicKey, signature: bytes) -> tuple[str, bytes] | None:
    """(hash name, digest) a PKCS#1 v1.5 signature carries, or None when this key did not make it."""
    numbers = public_key.public_numbers()
    size = (public_key.key_size + 7) // 8
    if len(signature) != size:
        return None
    value = int.from_bytes(signature, "big")
    if value >= numbers.n:
        return None
    encoded = pow(value, numbers.e, numbers.n).to_bytes(size, "big")
    if not encoded.startswith(b"\x00\x01"):
        return None
    end = encoded.find(b"\x00", 2)
    if end < 10 or encoded[2:end] != b"\xff" * (end - 2):
        return None
    info = encoded[end + 1 :]
    for name, (prefix, _) in DIGEST_INFO.items():
        if (
            info.startswith(prefix)
            and len(info) == len(prefix) + hashlib.new(DIGEST_INFO[name][1]).digest_size
        ):
            return name, info[len(prefix) :]
    return "unknown", info


def _json_variants(body: bytes) -> Iterator[tuple[str, bytes]]:
    """The body as common JSON encoders re-write it: (what changed, bytes)."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return
    for indent in (None, 2, 4, "\t"):
        for sort_keys in (False, True):
            for separators in ((",", ":"), (", ", ": "), (",", ": ")):
                for ensure_ascii in (True, False):
                    text = json.dumps(
                        value,
                        indent=indent,
                        sort_keys=sort_keys,
                        separators=separators,
                        ensure_ascii=ensure_ascii,
                    )
                    changes = []
                    if indent is not None:
                        changes.append(f"indented ({'a tab' if indent == chr(9) else f'{indent} spaces'})")
                    if sort_keys:
                        changes.append("keys sorted")
                    if separators == (", ", ": ") and indent is None:
                        changes.append("a space after each ',' and ':'")
                    elif separators == (",", ": ") and indent is None:
                        changes.append("a space after each ':'")
                    if not ensure_ascii:
                        changes.append("non-ASCII unescaped")
                    how = ", ".join(changes) or "compact"
                    yield how, text.encode("utf-8")
                    if "/" in text:
                        yield how + ", '/' escaped", text.replace("/", "\\/").encode("utf-8")


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _old_scheme_strings(request: SignedRequest, body: bytes) -> Iterator[bytes]:
    """bunq's pre-2020 string to sign: ``METHOD /v1/path``, the sorted signed headers, a blank line, the body."""
    names = sorted(
        name
        for name in request.headers
        if (name in _OLD_SCHEME_HEADERS or name.startswith("x-bunq-")) and name != "x-bunq-client-signature"
    )
    for spell in (_canonical, str):
        lines = [f"{spell(name)}: {request.headers[name]}" for name in names]
        for target in dict.fromkeys((request.target, request.target.split("?", 1)[0])):
            head = "\n".join([f"{request.method} {target}", *lines])
            yield (head + "\n\n").encode("latin-1", "replace") + body
            yield (head + "\r\n\r\n").encode("latin-1", "replace") + body


def _candidates(request: SignedRequest, host: str | None) -> Iterator[tuple[str, str, bytes]]:
    """(cause, what was signed, bytes) for every wrong input the sandbox knows."""
    body = request.body
    for how, variant in _json_variants(body):
        if variant != body:
            yield "body-reserialised", f"the body re-serialised ({how}) instead of the bytes sent", variant
    for suffix in (b"\n", b"\r\n"):
        yield "trailing-newline", "the body with a trailing newline that was not sent", body + suffix
        if body.endswith(suffix) and body.rstrip(b"\r\n") != body:
            yield (
                "trailing-newline",
                "the body without the trailing newline that was sent",
                body.rstrip(b"\r\n"),
            )
    for string in _old_scheme_strings(request, body):
        yield "pre-2020-scheme", "bunq's pre-2020 string (method, path, headers and body)", string
    path = request.target.split("?", 1)[0]
    urls = [request.target, path, f"{request.method} {request.target}", f"{request.method} {path}"]
    if host:
        urls += [f"https://{host}{request.target}", f"https://{host}{path}"]
    for url in urls:
        yield "url-or-headers-only", f"the URL or request line ({url!r}) instead of the body", url.encode()
    for string in _old_scheme_strings(request, b""):
        yield "url-or-headers-only", "the request line and headers without the body", string
    if body:
        yield "empty-body-signed", "an empty body, but a non-empty body was sent", b""


def explain_signature_missing() -> Explanation:
    """No X-Bunq-Client-Signature on a call that needs one."""
    return Explanation(
        "signature-missing",
        "No X-Bunq-Client-Signature header was sent. Sign the exact body bytes with the installation's"
        " private key (RSA PKCS#1 v1.5, SHA-256), base64-encode it and send it in that header.",
    )


def explain_signature(
    public_key: rsa.RSAPublicKey,
    signature_header: str | None,
    request: SignedRequest,
    *,
    host: str | None = None,
    other_keys: Iterable[tuple[int, rsa.RSAPublicKey]] = (),
) -> Explanation:
    """Why ``signature_header`` does not verify as the installation's SHA-256 signature of the body."""
    if not (signature_header or "").strip():
        return explain_signature_missing()
    try:
        raw = base64.b64decode(signature_header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return Explanation(
            "signature-not-base64",
            "X-Bunq-Client-Signature is not valid base64. Send the raw signature bytes base64-encoded"
            " (with padding), on one line.",
        )
    recovered = recover_digest(public_key, raw)
    if recovered is None:
        return _other_key(public_key, raw, other_keys)
    hash_name, digest = recovered
    sent = DIGEST_INFO.get(hash_name, (b"", "sha256"))[1]
    body_digest = hashlib.sha256(request.body).hexdigest()
    if hash_name == "unknown":
        return Explanation(
            "other-hash",
            "The signature was made with this installation's key, but its DigestInfo names no hash the sandbox"
            " knows (signed without PKCS#1 v1.5 DigestInfo?). Sign with RSA PKCS#1 v1.5 and SHA-256.",
        )
    hash_note = ""
    if hash_name != "SHA-256":
        if hashlib.new(sent, request.body).digest() == digest:
            return Explanation(
                "wrong-hash",
                f"The body bytes were signed with {hash_name} instead of SHA-256. Sign with SHA-256"
                " (e.g. cryptography's hashes.SHA256(), openssl dgst -sha256).",
            )
        hash_note = f" It was also hashed with {hash_name} instead of SHA-256."
    for cause, what, candidate in _candidates(request, host):
        if hashlib.new(sent, candidate).digest() == digest:
            return Explanation(cause, f"The signature is over {what}.{hash_note} {_FIXES[cause]}")
    return Explanation(
        "no-known-mistake",
        "The signature was made with this installation's key, but over bytes that match no known mistake."
        f" Digest signed ({hash_name}): {digest.hex()}; SHA-256 of the body sent: {body_digest}."
        " Sign exactly the bytes you send, after the last change to the body.",
    )


def _other_key(
    public_key: rsa.RSAPublicKey, raw: bytes, other_keys: Iterable[tuple[int, rsa.RSAPublicKey]]
) -> Explanation:
    for installation_id, key in other_keys:
        if recover_digest(key, raw) is not None:
            return Explanation(
                "other-key",
                f"The signature was made with the key of installation {installation_id}, not this"
                " installation's. Sign with the private key whose public half this installation registered"
                " (the installation token and the key pair belong together).",
            )
    size = (public_key.key_size + 7) // 8
    note = (
        f" It is {len(raw)} bytes; this installation's key makes {size}-byte signatures."
        if len(raw) != size
        else ""
    )
    return Explanation(
        "other-key",
        "The signature was not made with the private key of this installation (the RSA public operation"
        f" with its registered public key gives no PKCS#1 v1.5 block).{note} Sign with the private key whose"
        " public half you sent to POST installation, and use that installation's token.",
    )


_FIXES = {
    "body-reserialised": "Sign the exact bytes you send: serialise once, sign those bytes, send those bytes.",
    "trailing-newline": "Sign and send the same bytes; a newline added or stripped by a file or template counts.",
    "pre-2020-scheme": "Since 2020-04-28 bunq signs the body only: sign the body bytes, nothing else.",
    "url-or-headers-only": "Sign the request body bytes (an empty body for a GET), not the URL or headers.",
    "empty-body-signed": "Sign the body after it is filled in, just before sending.",
}


# -- tokens, keys and IPs ------------------------------------------------------------------------


def explain_missing_token() -> Explanation:
    """No X-Bunq-Client-Authentication at all."""
    return Explanation(
        "token-missing",
        "No X-Bunq-Client-Authentication header was sent. device-server and session-server take the"
        " installation token; every other call takes the session token.",
    )


def explain_unknown_token(token: str, *, looks_like_api_key: bool, reset_at: float | None) -> Explanation:
    """A token the sandbox does not know (typo, another sandbox, or wiped by a reset)."""
    if looks_like_api_key:
        return Explanation(
            "api-key-as-token",
            f"X-Bunq-Client-Authentication holds an API key ({mask(token)}), not a token. The API key goes in"
            ' the body of device-server and session-server as "secret"; the header takes their tokens.',
        )
    if reset_at is not None:
        return Explanation(
            "token-reset",
            f"The token {mask(token)} was wiped when the sandbox was reset at {iso(reset_at)}. Make the API"
            " context again: a new user or API key, installation, device-server, session-server.",
        )
    return Explanation(
        "token-unknown",
        f"The token {mask(token)} is not known here: mistyped, from another sandbox, or from before a reset"
        " this sandbox did not see. Open a new session, or make the API context again.",
    )


def explain_wrong_token_kind(sent: str, wanted: str, path: str) -> Explanation:
    """An installation token where a session token belongs, or the reverse."""
    if sent == "installation":
        return Explanation(
            "installation-token-for-session",
            f"{path} takes a session token, but the installation token was sent. Open a session (POST"
            " session-server with the installation token) and send the session token it returns.",
        )
    return Explanation(
        "session-token-for-installation",
        f"{path} takes the installation token, but a session token was sent. Send the token from"
        " POST installation for device-server and session-server.",
    )


def explain_session_ended(session: dict[str, Any], now: float, *, logged_out_at: float | None) -> Explanation:
    """A session token that was valid once: logged out, or expired by timeout."""
    if session["closed"]:
        when = f" at {iso(logged_out_at)}" if logged_out_at is not None else ""
        return Explanation(
            "session-logged-out",
            f"Session {session['id']} was closed by DELETE session (logout){when}. Open a new session with"
            " POST session-server.",
        )
    return Explanation(
        "session-expired",
        f"Session {session['id']} expired at {iso(session['expires_at'])} (sandbox clock; now"
        f" {iso(now)}): its timeout is {session['timeout']} s and no call extended it in its last"
        " seconds. Open a new session with POST session-server (the installation token still works).",
    )


def explain_user_gone(session_id: int) -> Explanation:
    """A session whose user no longer exists."""
    return Explanation(
        "user-gone",
        f"Session {session_id}'s user no longer exists (the sandbox was reset). Make the API context again.",
    )


def explain_credentials(
    *,
    api_key: str | None,
    key_known: bool,
    caller_ip: str,
    permitted_ips: list[str] | None,
    wildcard: bool,
    step: str,
    device_installations: list[int],
    installation_id: int | None,
) -> Explanation:
    """Which of the causes of ``Incorrect API key or IP address.`` this was."""
    if not key_known:
        if api_key and not api_key.startswith("sandbox_"):
            return Explanation(
                "production-key-on-sandbox",
                f"The API key {mask(api_key)} is not a sandbox key (those start with 'sandbox_'): a production"
                " key does not work on a sandbox, nor a sandbox key on production. Use a key made by POST"
                " sandbox-user-person here, and your production key only against api.bunq.com.",
            )
        return Explanation(
            "api-key-unknown",
            f"The API key {mask(api_key)} is not known to this sandbox (mistyped, revoked, or from before a"
            " reset). Check it is copied in full, or make a new one with POST sandbox-user-person.",
        )
    if not wildcard and permitted_ips is not None and caller_ip not in permitted_ips:
        return Explanation(
            "ip-not-permitted",
            f"This call came from {caller_ip}, which is not among the permitted IPs of this API key"
            f" ({', '.join(permitted_ips) or 'none'}). Register the device with permitted_ips that include"
            " this IP (or ['*']), or add it with the permitted-ip endpoint.",
        )
    if step == "session-server" and installation_id not in device_installations:
        if device_installations:
            others = ", ".join(str(i) for i in device_installations)
            return Explanation(
                "device-other-installation",
                f"The API key's device is registered under installation {others}, not under this installation"
                f" ({installation_id}). Call device-server with this installation's token first, or use the"
                " installation token that registered the device.",
            )
        return Explanation(
            "device-missing",
            "No device is registered for this API key yet. Call POST device-server (installation token, the"
            " API key as secret) before session-server.",
        )
    return Explanation(
        "credentials-unknown-cause",
        f"The API key {mask(api_key)} and IP {caller_ip} look right to the sandbox now; the state may have"
        " changed since this call.",
    )


def explain_rate_limit(method: str, endpoint: str, limit: int, window: int, frees_at: float) -> Explanation:
    """Which rate-limit window was exceeded and when it frees."""
    return Explanation(
        "rate-limited",
        f"More than {limit} {method} call(s) to {endpoint} within {window} s from this IP. The window frees"
        f" at {iso(frees_at)}; wait until then, and space calls out (bunq's limits are per IP and endpoint).",
    )


def explain_route_not_found(path: str) -> Explanation:
    """bunq's 404 ``Route not found.``: the usual reasons a path is not one of bunq's."""
    if not path.startswith("/v1/"):
        return Explanation(
            "not-under-v1",
            f"{path} is not under /v1/: every path of bunq's API starts with /v1/ (the base URL ends in /v1/).",
        )
    if "//" in path or "/../" in path or path.endswith(("/.", "/..")) or "%2" in path.lower():
        return Explanation(
            "path-tricks",
            f"{path} has an empty segment, '..' or an encoded '/'; build it from the ids alone.",
        )
    return Explanation(
        "route-unknown",
        f"{path} is not a path of bunq's API (or an id in it is not a number where bunq takes one). Check the"
        " spelling against bunq's API reference, e.g. monetary-account-bank, not monetary_account_bank.",
    )
