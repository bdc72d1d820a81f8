"""Content signatures: Firefox's canonical JSON, and each way a signature or its chain can fail."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta

import pytest

from inference_gui.config import MOZILLA_SETTINGS_ROOT_HASH, load_settings
from inference_gui.errors import RecordError
from inference_gui.records.signature import (
    ContentSignatureVerifier,
    canonical_json,
    signed_payload,
)
from tests.paths import REMOTE_SETTINGS
from tests.support.signing import make_chain

OPTIONS = json.loads((REMOTE_SETTINGS / "ml-inference-options.json").read_text())
X5U = "https://signer.test/chains/leaf.pem"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Non-ASCII as lowercase \u escapes, astral characters as surrogate pairs, U+2028 and DEL
        # escaped, quotes and backslashes in their short form, / ' and ` left alone.
        ("é😀\u2028\x7f", '"\\u00e9\\ud83d\\ude00\\u2028\\u007f"'),
        ("\"\\/'`", '"\\"\\\\/\'`"'),
        ("\x00\x01\b\t\n\f\r\x1f", '"\\u0000\\u0001\\b\\t\\n\\f\\r\\u001f"'),
        # Numbers as JavaScript writes them (JSON.stringify); Firefox's CanonicalJSON keeps -0.
        ([1.0, 100.0, -2.5, 0.1, 123.456], "[1,100,-2.5,0.1,123.456]"),
        (
            [1e20, 1e21, 1.5e300, 0.000001, 1e-7, 5e-324],
            "[100000000000000000000,1e+21,1.5e+300,0.000001,1e-7,5e-324]",
        ),
        (
            [0, -0.0, 0.0, 2**53, 123456789012345678901234567890],
            "[0,-0,0,9007199254740992,1.2345678901234568e+29]",
        ),
        ([True, False, None, float("nan"), 10**400], "[true,false,null,null,null]"),
        # Keys sorted at every depth by UTF-16 code units: U+1F600 (a surrogate pair, 0xD83D...)
        # sorts before U+FFFF, unlike a code-point sort.
        (
            {"b": {"z": [{"y": 1, "x": {}}], "a": []}, "a": None, "\uffff": 1, "😀": 2},
            '{"a":null,"b":{"a":[],"z":[{"x":{},"y":1}]},"\\ud83d\\ude00":2,"\\uffff":1}',
        ),
    ],
)
def test_canonical_json_matches_firefox(value, expected):
    assert canonical_json(value) == expected


def test_signed_payload_sorts_by_id_drops_tombstones_and_stringifies_the_timestamp():
    changes = [{"id": "b", "v": 1}, {"id": "c", "deleted": True}, {"id": "a", "v": 2}]
    assert signed_payload(changes, 42) == (
        b'Content-Signature:\x00{"data":[{"id":"a","v":2},{"id":"b","v":1}],"last_modified":"42"}'
    )


@pytest.fixture(scope="module")
def chain():
    return make_chain()


def verify(chain, changeset, *, root=None, chains=None, signature=None):
    served = {X5U: chain.pem} if chains is None else chains

    def fetch(url):
        if url not in served:
            raise RecordError(f"nothing at {url}")
        return served[url]

    verifier = ContentSignatureVerifier(fetch, root or chain.root_sha256)
    metadata = dict(changeset.get("metadata", {}))
    if signature is not None:
        metadata["signature"] = signature
    return verifier.check(changeset["changes"], changeset["timestamp"], metadata)


def test_a_good_chain_verifies_and_colons_in_the_pinned_hash_are_fine(chain):
    status = verify(chain, chain.sign(OPTIONS, X5U))
    assert status.status == "verified", status.reason
    colons = ":".join(chain.root_sha256[i : i + 2] for i in range(0, 64, 2)).upper()
    assert verify(chain, chain.sign(OPTIONS, X5U), root=colons).status == "verified"


def test_record_order_and_tombstones_do_not_change_the_signature(chain):
    signed = chain.sign(OPTIONS, X5U)
    shuffled = copy.deepcopy(signed)
    shuffled["changes"] = list(reversed(shuffled["changes"])) + [{"id": "gone", "deleted": True}]
    assert verify(chain, shuffled).status == "verified"


def test_a_tampered_record_is_invalid(chain):
    tampered = chain.sign(OPTIONS, X5U)
    tampered["changes"][0]["modelRevision"] = "evil"
    status = verify(chain, tampered)
    assert status.status == "invalid" and "does not match the records" in status.reason


def test_a_changed_timestamp_is_invalid(chain):
    moved = chain.sign(OPTIONS, X5U)
    moved["timestamp"] += 1
    assert verify(chain, moved).status == "invalid"


def test_an_expired_leaf_or_intermediate_is_invalid():
    past = datetime.now(UTC) - timedelta(hours=1)
    for expired in (make_chain(leaf_not_after=past), make_chain(intermediate_not_after=past)):
        status = verify(expired, expired.sign(OPTIONS, X5U))
        assert status.status == "invalid" and "is expired" in status.reason


def test_a_chain_from_another_root_is_invalid(chain):
    other = make_chain()
    status = verify(other, other.sign(OPTIONS, X5U), root=chain.root_sha256)
    assert status.status == "invalid"
    assert f"not the pinned {chain.root_sha256}" in status.reason
    assert other.root_sha256 in status.reason


def test_mozillas_production_root_is_pinned_by_default(chain):
    settings, problems = load_settings({}, env={}, flags={})
    assert not problems and settings.settings_root_hash == MOZILLA_SETTINGS_ROOT_HASH
    status = verify(chain, chain.sign(OPTIONS, X5U), root=settings.settings_root_hash)
    assert status.status == "invalid" and MOZILLA_SETTINGS_ROOT_HASH in status.reason


def test_an_intermediate_that_did_not_issue_the_leaf_is_invalid(chain):
    other = make_chain()
    mixed = make_chain()
    mixed.certificates = [other.certificates[0], *chain.certificates[1:]]
    mixed.leaf_key = other.leaf_key
    status = verify(mixed, mixed.sign(OPTIONS, X5U), root=chain.root_sha256)
    assert status.status == "invalid" and "is not issued by" in status.reason


def test_a_leaf_for_another_signer_is_invalid():
    other = make_chain(signer="normandy.content-signature.mozilla.org")
    status = verify(other, other.sign(OPTIONS, X5U))
    assert status.status == "invalid"
    assert "normandy.content-signature.mozilla.org, not remote-settings" in status.reason


def test_a_missing_or_unfetchable_x5u_is_invalid(chain):
    signed = chain.sign(OPTIONS, X5U)
    without = {k: v for k, v in signed["metadata"]["signature"].items() if k != "x5u"}
    status = verify(chain, signed, signature=without)
    assert status.status == "invalid" and "x5u" in status.reason
    status = verify(chain, signed, chains={})
    assert status.status == "invalid" and f"{X5U} could not be fetched" in status.reason
    status = verify(chain, signed, chains={X5U: b"not a certificate"})
    assert status.status == "invalid" and "not PEM certificates" in status.reason


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("FIXTURE-NOT-SIGNED!", "not base64url"),
        (base64.urlsafe_b64encode(bytes(64)).decode(), "64 bytes, not the 96"),
        ("", "signature is missing"),
    ],
)
def test_a_badly_encoded_signature_is_invalid(chain, value, reason):
    signed = chain.sign(OPTIONS, X5U)
    status = verify(
        chain, signed, signature={**signed["metadata"]["signature"], "signature": value}
    )
    assert status.status == "invalid" and reason in status.reason


def test_padding_is_ignored_and_another_mode_is_refused(chain):
    signed = chain.sign(OPTIONS, X5U)
    sig = signed["metadata"]["signature"]
    padded = {**sig, "signature": sig["signature"] + "=="}
    assert verify(chain, signed, signature=padded).status == "verified"
    status = verify(chain, signed, signature={**sig, "mode": "rs256"})
    assert status.status == "invalid" and "mode" in status.reason


def test_no_signature_is_unsigned(chain):
    for metadata in ({}, {"signature": {}}, {"signature": None}):
        status = verify(chain, {**OPTIONS, "metadata": metadata})
        assert status.status == "unsigned" and "no signature" in status.reason
