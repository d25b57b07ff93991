"""Two facts of an X.509 certificate, read from its DER: when it expires and its public key.

That is all pinning (``keys.pin_of_certificate``) and the local sandbox's renewal check need of a
certificate, and loading cryptography's x509 for them cost each process about 20 ms (a warm
command-line run checks a pin once and starts the local sandbox once). Only the fields' positions in
``tbsCertificate`` are read (RFC 5280 §4.1); nothing is verified here: TLS verified the certificate
already, or this package wrote it.
"""

from __future__ import annotations

import base64
import datetime as dt

PEM_HEADER, PEM_FOOTER = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
UTC_TIME = 0x17  # two-digit year: 50-99 are 19xx (RFC 5280 §4.1.2.5.1); else GeneralizedTime


def certificate_der(certificate: bytes | str) -> bytes:
    """DER bytes as they are; PEM text (a chain's first certificate) decoded."""
    if isinstance(certificate, bytes):
        return certificate
    start = certificate.index(PEM_HEADER) + len(PEM_HEADER)
    return base64.b64decode("".join(certificate[start : certificate.index(PEM_FOOTER, start)].split()))


def expiry_and_public_key(certificate: bytes | str) -> tuple[dt.datetime, bytes]:
    """(``notAfter`` in UTC, the SubjectPublicKeyInfo's DER) of a certificate in DER or PEM."""
    fields = _children(_children(_children(certificate_der(certificate))[0][1])[0][1])
    if fields[0][0] == 0xA0:  # [0] version, present in every v3 certificate
        fields = fields[1:]
    # serialNumber, signature, issuer, validity (notBefore, notAfter), subject, subjectPublicKeyInfo
    tag, not_after, _ = _children(fields[3][1])[1]
    text = not_after.decode("ascii").rstrip("Z")
    if tag == UTC_TIME:
        text = ("19" if int(text[:2]) >= 50 else "20") + text
    numbers = [int(text[:4]), *(int(text[at : at + 2]) for at in range(4, 14, 2))]
    return dt.datetime(*numbers, tzinfo=dt.timezone.utc), fields[5][2]


def _children(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """Each DER element in ``data``, in order: (tag, content, the whole element)."""
    items, at = [], 0
    while at < len(data):
        tag, length, start = data[at], data[at + 1], at + 2
        if length & 0x80:
            count = length & 0x7F
            length, start = int.from_bytes(data[start : start + count], "big"), start + count
        items.append((tag, data[start : start + length], data[at : start + length]))
        at = start + length
    return items
