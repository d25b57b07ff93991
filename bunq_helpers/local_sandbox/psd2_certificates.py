"""How the local sandbox checks a PSD2 provider's certificate and chain: pure functions, no HTTP, no state.

What bunq does, from its pages and from what users report:

- bunq's sandbox TPP page says a test certificate is "not validated in sandbox" and shows how to make
  one with openssl (a self-signed certificate);
- yet users of the sandbox get ``Certificate root is not trusted. Make sure that the last certificate
  in the chain is the root certificate.`` when the chain they send does not end in a root.

So the local sandbox, by default: any self-signed root at the end of the chain is accepted (bunq's
sandbox does not know the provider's CA); a chain that does not end in one gets bunq's text; every
certificate must be signed by the next one; every certificate must be valid now (an expired one is
refused); the certificate's key must be RSA (the signature is RSA-SHA256, as the SDKs make it).
``trusted_roots`` (``SandboxOptions.psd2_trusted_roots``) makes it production-like: the root must be
one of those certificates.

Certificates are PEM; ``client_payment_service_provider_certificate_chain`` may hold one or several
(sdk_python joins them with a newline). A chain that repeats the provider's certificate first, or
that is the provider's own self-signed certificate, is accepted too: both are what people send.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

ROOT_NOT_TRUSTED = "Certificate root is not trusted. Make sure that the last certificate in the chain is the root certificate."
_BEGIN = b"-----BEGIN CERTIFICATE-----"


class CertificateRefused(ValueError):
    """The certificate or its chain is not acceptable; the message says why (bunq's text where known)."""


@dataclass(frozen=True)
class CheckedCertificate:
    """A provider certificate that passed: its key, subject and fingerprint."""

    certificate: x509.Certificate
    public_key: rsa.RSAPublicKey
    distinguished_name: str
    fingerprint: str  # hex SHA-256 of the DER bytes


def load_certificates(pem: str, field: str) -> list[x509.Certificate]:
    """Every certificate in a PEM text, in order; a clear refusal when there is none or one is broken."""
    data = pem.encode("utf-8", "replace")
    if _BEGIN not in data:
        raise CertificateRefused(f'Field "{field}" holds no PEM certificate (-----BEGIN CERTIFICATE-----).')
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise CertificateRefused(f'Field "{field}" holds a certificate that cannot be read: {exc}') from None


def _signed_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    if child.issuer != issuer.subject:
        return False
    key = issuer.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(
                child.signature,
                child.tbs_certificate_bytes,
                padding.PKCS1v15(),
                child.signature_hash_algorithm or hashes.SHA256(),
            )
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(child.signature, child.tbs_certificate_bytes, ec.ECDSA(child.signature_hash_algorithm))
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def fingerprint(certificate: x509.Certificate) -> str:
    """Hex SHA-256 of the certificate's DER bytes."""
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def check_chain(
    certificate_pem: str,
    chain_pem: str,
    now: float,
    trusted_roots: tuple[str, ...] = (),
) -> CheckedCertificate:
    """The provider certificate if it and its chain pass the checks in the module docstring; else raises."""
    leaf_list = load_certificates(certificate_pem, "client_payment_service_provider_certificate")
    if len(leaf_list) != 1:
        raise CertificateRefused(
            'Field "client_payment_service_provider_certificate" must hold exactly one certificate; '
            "put the intermediate and root certificates in the chain field."
        )
    leaf = leaf_list[0]
    chain = load_certificates(chain_pem, "client_payment_service_provider_certificate_chain")
    if fingerprint(chain[0]) == fingerprint(leaf) and len(chain) > 1:
        chain = chain[1:]  # the provider's certificate repeated first
    path = [leaf, *[c for c in chain if fingerprint(c) != fingerprint(leaf)]]
    root = path[-1]
    if not _signed_by(root, root):
        raise CertificateRefused(ROOT_NOT_TRUSTED)
    if trusted_roots:
        trusted = {
            fingerprint(c) for pem in trusted_roots for c in load_certificates(pem, "psd2_trusted_roots")
        }
        if fingerprint(root) not in trusted:
            raise CertificateRefused(ROOT_NOT_TRUSTED)
    for child, issuer in itertools.pairwise(path):
        if not _signed_by(child, issuer):
            raise CertificateRefused(
                f"The certificate for {child.subject.rfc4514_string()} is not signed by the next certificate in "
                f"the chain ({issuer.subject.rfc4514_string()}). Order the chain from your certificate's issuer "
                "up to the root."
            )
    moment = datetime.fromtimestamp(now, tz=timezone.utc)
    for certificate in path:
        if certificate.not_valid_after_utc < moment:
            raise CertificateRefused(
                f"The certificate for {certificate.subject.rfc4514_string()} expired on "
                f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC. Use a certificate that is valid now."
            )
        if certificate.not_valid_before_utc > moment:
            raise CertificateRefused(
                f"The certificate for {certificate.subject.rfc4514_string()} is not valid before "
                f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M:%S} UTC."
            )
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise CertificateRefused(
            "The certificate's key must be an RSA key: the credential's signature is RSA with SHA-256."
        )
    return CheckedCertificate(leaf, key, leaf.subject.rfc4514_string(), fingerprint(leaf))
