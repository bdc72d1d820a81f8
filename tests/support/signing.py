"""A content-signature chain made for tests (root -> intermediate -> leaf), signing like Autograph.

::

    chain = make_chain()                      # valid for a day around now
    signed = chain.sign(changeset, x5u)       # copy with metadata.signature set
    chain.pem, chain.root_sha256              # what the x5u serves, what to pin

Built with ``cryptography`` the way Mozilla's signer lays it out: P-384 keys, CA basic constraints
on root and intermediate, the signer's name as the leaf's DNS name, code-signing extended usage.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from inference_gui.records.signature import SIGNER_NAME, signed_payload

DAY = timedelta(days=1)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    not_before: datetime,
    not_after: datetime,
    dns_name: str | None = None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if dns_name is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
    return builder.sign(issuer_key, hashes.SHA384())


@dataclass
class TestChain:
    __test__ = False  # not a pytest test class

    leaf_key: ec.EllipticCurvePrivateKey
    certificates: list[x509.Certificate]  # leaf, intermediate, root

    @property
    def pem(self) -> bytes:
        return b"".join(c.public_bytes(Encoding.PEM) for c in self.certificates)

    @property
    def root_sha256(self) -> str:
        return hashlib.sha256(self.certificates[-1].public_bytes(Encoding.DER)).hexdigest()

    def signature(self, changes: list[Any], timestamp: int) -> str:
        der = self.leaf_key.sign(signed_payload(changes, timestamp), ec.ECDSA(hashes.SHA384()))
        r, s = decode_dss_signature(der)
        raw = r.to_bytes(48, "big") + s.to_bytes(48, "big")
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def sign(self, changeset: dict[str, Any], x5u: str) -> dict[str, Any]:
        signed = copy.deepcopy(changeset)
        signed.setdefault("metadata", {})["signature"] = {
            "mode": "p384ecdsa",
            "x5u": x5u,
            "signature": self.signature(signed["changes"], signed["timestamp"]),
        }
        return signed


def make_chain(
    *,
    signer: str = SIGNER_NAME,
    leaf_not_after: datetime | None = None,
    intermediate_not_after: datetime | None = None,
) -> TestChain:
    """A fresh chain; the dates default to a day either side of now."""
    now = datetime.now(UTC)
    root_key, inter_key, leaf_key = (ec.generate_private_key(ec.SECP384R1()) for _ in range(3))
    start = now - DAY
    root = _certificate(
        "test root", root_key, "test root", root_key, ca=True, not_before=start, not_after=now + DAY
    )
    intermediate = _certificate(
        "test intermediate",
        inter_key,
        "test root",
        root_key,
        ca=True,
        not_before=start,
        not_after=intermediate_not_after or now + DAY,
    )
    leaf = _certificate(
        signer,
        leaf_key,
        "test intermediate",
        inter_key,
        ca=False,
        not_before=start,
        not_after=leaf_not_after or now + DAY,
        dns_name=signer,
    )
    return TestChain(leaf_key, [leaf, intermediate, root])
