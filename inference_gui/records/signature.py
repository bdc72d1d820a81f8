r"""Remote Settings content signatures, checked the way Firefox checks them before using records.

A changeset's ``metadata.signature`` holds ``x5u`` (the URL of a PEM chain: leaf, intermediate,
root), ``signature`` (base64url of the 96-byte P-384 ``r || s``) and ``mode`` (``p384ecdsa``). The
signed bytes are ``"Content-Signature:\x00"`` followed by Firefox's canonical JSON of
``{"data": [records sorted by id, tombstones dropped], "last_modified": "<timestamp>"}``. The chain
must lead, certificate by certificate, to a root whose SHA-256 (of its DER) is pinned, every
certificate must be within its dates, and the leaf must name the collection's signer. A changeset
that fails is refused, so the last good data stays in use, as in Firefox.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from inference_gui.errors import RecordError
from inference_gui.records.model import SignatureStatus
from inference_gui.records.server import Changeset, RemoteSettingsClient

# The name Firefox expects in the leaf of every collection of the ``main`` bucket (the signer of
# RemoteSettingsClient's default ``signerName``).
SIGNER_NAME = "remote-settings.content-signature.mozilla.org"
SIGNED_PREFIX = b"Content-Signature:\x00"
SIGNATURE_BYTES = 96  # r and s of P-384, 48 bytes each
MODE = "p384ecdsa"

# JSON escapes Firefox's canonical JSON (jsesc in JSON mode) writes in their short form.
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def _utf16_order(text: str) -> bytes:
    """JavaScript's string order (UTF-16 code units), which Firefox sorts keys and ids by."""
    return text.encode("utf-16-be", "surrogatepass")


def _string(text: str) -> str:
    r"""Printable ASCII as is; everything else as ``\uXXXX`` (lowercase, surrogate pairs)."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif 0x20 <= code <= 0x7E:
            out.append(char)
        elif code > 0xFFFF:
            high, low = divmod(code - 0x10000, 0x400)
            out.append(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def _number(value: float) -> str:
    """ECMAScript's Number-to-String, as ``JSON.stringify`` writes numbers, but ``-0`` kept.

    A JSON number is a double to Firefox, so an integer too large for one is rounded as
    JavaScript rounds it; a value no double holds becomes ``null``, as JSON.stringify writes it.
    """
    try:
        number = float(value)
    except OverflowError:
        return "null"
    if not math.isfinite(number):
        return "null"
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    negative, digit_tuple, exponent = Decimal(repr(abs(number))).as_tuple()
    assert isinstance(exponent, int)  # finite
    all_digits = "".join(map(str, digit_tuple))
    digits = all_digits.rstrip("0")
    point = len(all_digits) + exponent  # the decimal point sits after this many digits
    sign = "-" if number < 0 else ""
    if len(digits) <= point <= 21:
        return sign + digits + "0" * (point - len(digits))
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    mantissa = digits if len(digits) == 1 else digits[0] + "." + digits[1:]
    power = point - 1
    return f"{sign}{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def canonical_json(value: Any) -> str:
    """Firefox's CanonicalJSON: keys sorted by UTF-16 code units, no spaces, ASCII only."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, Mapping):
        keys = sorted(value, key=_utf16_order)
        return "{" + ",".join(f"{_string(k)}:{canonical_json(value[k])}" for k in keys) + "}"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def signed_payload(changes: list[Any], timestamp: int) -> bytes:
    """The bytes a collection's signature covers: live records by id, and the timestamp."""
    live = [r for r in changes if not (isinstance(r, dict) and r.get("deleted"))]
    ordered = sorted(
        live, key=lambda r: _utf16_order(str(r.get("id", ""))) if isinstance(r, dict) else b""
    )
    document = {"data": ordered, "last_modified": str(timestamp)}
    return SIGNED_PREFIX + canonical_json(document).encode("ascii")


class SignatureRefused(RecordError):
    """A changeset whose signature did not hold: refused, so the last good data stays."""

    def __init__(self, server: str, collection: str, status: SignatureStatus) -> None:
        super().__init__(
            f"The settings server {server} sent {collection} with a content signature that does "
            f"not hold ({status.reason}); the records were refused and the last good data kept.",
            "If the server signs with another root, set --settings-root-hash (or "
            "INFERENCE_GUI_SETTINGS_ROOT_HASH) to its SHA-256; otherwise the data was altered.",
        )
        self.status = status


class _Failed(Exception):
    """One check that did not pass; its text becomes the ``invalid`` status's reason."""


def _decode_signature(text: Any) -> bytes:
    """base64url, padding optional (Firefox ignores it), of exactly 96 bytes."""
    if not isinstance(text, str) or not text:
        raise _Failed("metadata.signature.signature is missing")
    try:
        raw = base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _Failed(f"the signature is not base64url ({exc})") from exc
    if len(raw) != SIGNATURE_BYTES:
        raise _Failed(f"the signature is {len(raw)} bytes, not the {SIGNATURE_BYTES} of P-384 r||s")
    return raw


def _check_dates(chain: list[x509.Certificate], now: datetime) -> None:
    for cert in chain:
        start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
        if not start <= now <= end:
            state = "expired" if now > end else "not yet valid"
            raise _Failed(
                f"the certificate {cert.subject.rfc4514_string()} is {state} "
                f"(valid {start:%Y-%m-%d} to {end:%Y-%m-%d})"
            )


def _check_links(chain: list[x509.Certificate], root_sha256: str) -> None:
    """Each certificate issued by the next, issuers being CAs, ending at the pinned root."""
    for cert, issuer in zip(chain, chain[1:], strict=False):
        try:
            is_ca = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            is_ca = False
        if not is_ca:
            raise _Failed(f"{issuer.subject.rfc4514_string()} is not a CA but issues a certificate")
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise _Failed(
                f"{cert.subject.rfc4514_string()} is not issued by "
                f"{issuer.subject.rfc4514_string()} ({exc or 'bad signature'})"
            ) from exc
    found = hashlib.sha256(chain[-1].public_bytes(Encoding.DER)).hexdigest()
    if found != root_sha256:
        raise _Failed(
            f"the chain ends at a root with SHA-256 {found}, not the pinned {root_sha256}"
        )


def _check_leaf(leaf: x509.Certificate, signer: str) -> ec.EllipticCurvePublicKey:
    """The leaf names ``signer`` (a DNS name), may sign code, and holds a P-384 key."""
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names = None
    dns = [n.lower() for n in names.get_values_for_type(x509.DNSName)] if names else []
    if signer.lower() not in dns:
        raise _Failed(f"the leaf certificate is for {', '.join(dns) or 'no name'}, not {signer}")
    try:
        usages = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.CODE_SIGNING not in usages:
            raise _Failed("the leaf certificate may not sign code (extended key usage)")
    except x509.ExtensionNotFound:
        pass  # no EKU means any purpose, as in Firefox's certificate checks
    key = leaf.public_key()
    if not (isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp384r1"):
        raise _Failed("the leaf certificate's key is not an ECDSA P-384 key")
    return key


class ContentSignatureVerifier:
    """Checks changesets against one pinned root; ``fetch_chain`` gets an x5u's PEM bytes."""

    def __init__(
        self,
        fetch_chain: Callable[[str], bytes],
        root_sha256: str,
        *,
        signer: str = SIGNER_NAME,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._fetch_chain = fetch_chain
        self.root_sha256 = root_sha256.replace(":", "").lower()
        self.signer = signer
        self._clock = clock

    def check(
        self, changes: list[Any], timestamp: int, metadata: Mapping[str, Any]
    ) -> SignatureStatus:
        """``verified``, ``unsigned`` (no signature sent) or ``invalid`` with the reason."""
        signature = metadata.get("signature")
        if signature is None or signature == {}:
            return SignatureStatus("unsigned", "the server sent no signature (metadata.signature)")
        try:
            self._verify(signature, signed_payload(changes, timestamp))
        except _Failed as exc:
            return SignatureStatus("invalid", str(exc))
        return SignatureStatus("verified", f"signed for {self.signer}")

    def _chain(self, url: Any) -> list[x509.Certificate]:
        if not isinstance(url, str) or not url:
            raise _Failed("metadata.signature.x5u (the certificate chain's URL) is missing")
        try:
            pem = self._fetch_chain(url)
        except RecordError as exc:
            raise _Failed(
                f"the certificate chain {url} could not be fetched: {exc.message}"
            ) from exc
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except ValueError as exc:
            raise _Failed(f"the certificate chain {url} is not PEM certificates ({exc})") from exc
        return chain

    def _verify(self, signature: Any, payload: bytes) -> None:
        if not isinstance(signature, Mapping):
            raise _Failed("metadata.signature is not an object")
        if signature.get("mode", MODE) != MODE:
            raise _Failed(f"the signature mode is {signature.get('mode')!r}, not {MODE}")
        raw = _decode_signature(signature.get("signature"))
        chain = self._chain(signature.get("x5u"))
        _check_dates(chain, self._clock())
        _check_links(chain, self.root_sha256)
        key = _check_leaf(chain[0], self.signer)
        half = SIGNATURE_BYTES // 2
        der = encode_dss_signature(
            int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
        )
        try:
            key.verify(der, payload, ec.ECDSA(hashes.SHA384()))
        except InvalidSignature as exc:
            raise _Failed(
                "the signature does not match the records (altered or re-ordered)"
            ) from exc


def checked_signature(
    client: RemoteSettingsClient, collection: str, changeset: Changeset, root_sha256: str
) -> SignatureStatus:
    """The changeset's signature status; raises :class:`SignatureRefused` when it does not hold."""
    verifier = ContentSignatureVerifier(client.certificate_chain, root_sha256)
    status = verifier.check(changeset.changes, changeset.timestamp, changeset.metadata)
    if status.status == "invalid":
        raise SignatureRefused(client.server, collection, status)
    return status
