"""The two facts read from a certificate's DER match what cryptography's x509 reads."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import certifi
import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bunq_helpers.crypto.certificate import certificate_der, expiry_and_public_key
from bunq_helpers.crypto.keys import pin_of_certificate, pin_of_public_key

UTC = dt.timezone.utc


def _facts_by_x509(pem: str) -> tuple[dt.datetime, bytes]:
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return cert.not_valid_after_utc, spki


@pytest.mark.filterwarnings("ignore:Parsed a serial number")  # x509 on one old CA's negative serial
def test_every_certificate_in_certifis_bundle_reads_as_x509_reads_it() -> None:
    """RSA and EC keys, v1 and v3 certificates, UTCTime and GeneralizedTime, from real CAs."""
    bundle = Path(certifi.where()).read_text(encoding="ascii")
    pems = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", bundle, re.S)
    assert len(pems) > 50
    for pem in pems:
        expected = _facts_by_x509(pem)
        assert expiry_and_public_key(pem) == expected
        assert expiry_and_public_key(certificate_der(pem)) == expected
        assert pin_of_certificate(certificate_der(pem)) == pin_of_public_key(expected[1])


@pytest.mark.parametrize(
    "not_after",
    [
        dt.datetime(2049, 12, 31, 23, 59, 58, tzinfo=UTC),  # UTCTime, year 49 -> 2049
        dt.datetime(2050, 1, 1, 0, 0, 1, tzinfo=UTC),  # GeneralizedTime from 2050 on
        dt.datetime(2100, 5, 6, 7, 8, 9, tzinfo=UTC),
    ],
)
def test_a_chains_first_certificate_gives_its_expiry_and_key(not_after: dt.datetime) -> None:
    leaf = trustme.CA().issue_cert("127.0.0.1", not_after=not_after)
    chain = "".join(blob.bytes().decode("ascii") for blob in leaf.cert_chain_pems)
    assert expiry_and_public_key("text before it\n" + chain) == (not_after, _facts_by_x509(chain)[1])
