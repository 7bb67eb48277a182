"""Release metadata as a terminal checks it: what the hall signs passes, everything else is refused
with its reason (``hall.schema.verify_release_offer``), and the rollout buckets are stable."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from hall.certificates import SigningKey
from hall.fleet.releases import _sign, rollout_bucket
from hall.schema import (
    ReleaseMetadataError,
    ReleaseOfferPublic,
    ReleaseTargetsPublic,
    ReleaseTargetsSigned,
    ReleaseTimestampPublic,
    ReleaseTimestampSigned,
    ReleaseWheel,
    canonical_bytes,
    release_version_key,
    verify_release_offer,
    verify_release_targets,
)

NOW = dt.datetime(2026, 12, 3, 3, 0, tzinfo=dt.UTC)
HALL = SigningKey.generate()
KEYS = {HALL.kid: HALL.public_key_raw}


def targets(
    version: str = "0.3.0", release: int = 2, key: SigningKey = HALL
) -> ReleaseTargetsPublic:
    signed = ReleaseTargetsSigned(
        release=release,
        version=version,
        file_name=f"gov_kiosk-{version}-py3-none-any.whl",
        length=1234,
        sha256="ab" * 32,
        published_at=NOW - dt.timedelta(days=1),
    )
    kid, signature = _sign(key, signed)
    return ReleaseTargetsPublic(signed=signed, kid=kid, signature_b64=signature)


def offer(
    offered: ReleaseTargetsPublic | None,
    *,
    kiosk_id: str = "kiosk-001",
    issued_at: dt.datetime = NOW,
    newest: int | None = 2,
    key: SigningKey = HALL,
) -> ReleaseOfferPublic:
    stamp = ReleaseTimestampSigned(
        kiosk_id=kiosk_id,
        issued_at=issued_at,
        expires=issued_at + dt.timedelta(hours=24),
        newest_release=newest,
        targets_sha256=None
        if offered is None
        else hashlib.sha256(canonical_bytes(offered.signed)).hexdigest(),
    )
    kid, signature = _sign(key, stamp)
    return ReleaseOfferPublic(
        timestamp=ReleaseTimestampPublic(signed=stamp, kid=kid, signature_b64=signature),
        targets=offered,
    )


def check(
    answer: ReleaseOfferPublic,
    *,
    now: dt.datetime = NOW,
    running: str = "0.2.0",
    seen_release: int | None = 1,
    seen_issued_at: dt.datetime | None = NOW - dt.timedelta(days=1),
) -> ReleaseTargetsSigned | None:
    return verify_release_offer(
        answer,
        KEYS,
        kiosk_id="kiosk-001",
        now=now,
        running_version=running,
        seen_release=seen_release,
        seen_issued_at=seen_issued_at,
    )


def test_what_the_hall_signs_is_accepted() -> None:
    signed = check(offer(targets()))
    assert signed is not None and signed.version == "0.3.0"
    assert check(offer(None)) is None


def test_a_forged_signature_is_refused() -> None:
    # An attacker's key under the hall's key id, on the targets and on the timestamp.
    forger = SigningKey.generate()
    forged = targets(key=forger).model_copy(update={"kid": HALL.kid})
    with pytest.raises(ReleaseMetadataError, match="release targets: bad signature"):
        check(offer(forged))
    stamp = offer(targets(), key=forger)
    stamp = stamp.model_copy(
        update={"timestamp": stamp.timestamp.model_copy(update={"kid": HALL.kid})}
    )
    with pytest.raises(ReleaseMetadataError, match="release timestamp: bad signature"):
        check(stamp)
    with pytest.raises(ReleaseMetadataError, match="unknown key"):
        check(offer(targets(key=forger)))


def test_targets_changed_after_signing_are_refused() -> None:
    good = targets()
    # The hash changed to a file the attacker made: the timestamp names other targets.
    swapped = good.model_copy(
        update={"signed": good.signed.model_copy(update={"sha256": "cd" * 32})}
    )
    answer = offer(good).model_copy(update={"targets": swapped})
    with pytest.raises(ReleaseMetadataError, match="not the ones the timestamp signed"):
        check(answer)
    # And re-hashed into a new timestamp by someone without the key: the targets' signature.
    with pytest.raises(ReleaseMetadataError, match="release targets: bad signature"):
        check(offer(swapped))
    # A timestamp naming targets that were left out of the answer.
    with pytest.raises(ReleaseMetadataError, match="did not send"):
        check(offer(good).model_copy(update={"targets": None}))


def test_an_older_version_is_refused_and_the_same_is_up_to_date() -> None:
    with pytest.raises(ReleaseMetadataError, match=r"not newer than 0\.3\.0 running \(rollback"):
        check(offer(targets("0.2.9")), running="0.3.0")
    # Offered the version running: the terminal is up to date (the caller stages nothing)...
    same = check(offer(targets("0.3.0")), running="0.3")
    assert same is not None and same.version == "0.3.0"
    # ...but it is never installed again (the root side's check).
    with pytest.raises(ReleaseMetadataError, match=r"not newer than 0\.3\.0 running"):
        verify_release_targets(targets("0.3.0"), KEYS, running_version="0.3.0", seen_release=None)
    assert release_version_key("0.3") == release_version_key("0.3.0")
    assert release_version_key("0.10.0") > release_version_key("0.9.9")


def test_expired_metadata_is_refused() -> None:
    with pytest.raises(ReleaseMetadataError, match=r"expired at .* frozen hall or mirror"):
        check(offer(targets()), now=NOW + dt.timedelta(hours=25))


def test_replayed_old_metadata_is_refused() -> None:
    # An old, still unexpired answer after a newer one was accepted.
    with pytest.raises(ReleaseMetadataError, match="replayed metadata"):
        check(offer(targets(), issued_at=NOW - dt.timedelta(hours=2)), seen_issued_at=NOW)
    # Within a minute: two hall hosts whose clocks differ a little, not a replay.
    assert check(offer(targets(), issued_at=NOW - dt.timedelta(seconds=30)), seen_issued_at=NOW)
    # Old targets (release 1), freshly stamped: below the release already seen.
    with pytest.raises(ReleaseMetadataError, match="older than release 2 already seen"):
        check(offer(targets("0.3.0", release=1), newest=2), seen_release=2)
    # A hall whose newest release went back (a restored database, a stale mirror).
    with pytest.raises(ReleaseMetadataError, match="rolled-back hall"):
        check(offer(None, newest=1), seen_release=2)


def test_another_terminals_answer_is_refused() -> None:
    with pytest.raises(ReleaseMetadataError, match="for terminal kiosk-002"):
        check(offer(targets(), kiosk_id="kiosk-002"))


def test_a_malformed_signature_is_refused_not_raised() -> None:
    good = targets()
    garbled = good.model_copy(update={"signature_b64": base64.b64encode(b"x" * 10).decode()})
    with pytest.raises(ReleaseMetadataError, match="bad signature"):
        check(offer(garbled))


@given(
    kiosk_id=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=64),
    low=st.integers(0, 100),
    high=st.integers(0, 100),
)
def test_rollout_buckets_grow_with_the_percentage(kiosk_id: str, low: int, high: int) -> None:
    low, high = sorted((low, high))
    bucket = rollout_bucket("0.3.0", kiosk_id)
    assert 0 <= bucket < 100
    assert bucket == rollout_bucket("0.3.0", kiosk_id)  # the same at every question
    # A terminal inside the rollout at `low` per cent stays inside at any larger percentage.
    assert not (bucket < low) or bucket < high


def test_rollout_spreads_terminals_evenly() -> None:
    buckets = [rollout_bucket("0.3.0", f"kiosk-{n:04d}") for n in range(2000)]
    share = sum(b < 10 for b in buckets) / len(buckets)
    assert 0.07 < share < 0.13  # about 10 % of the fleet at --percent 10


def test_the_wheelhouse_is_signed_with_the_targets_and_names_plain_files_once() -> None:
    good = targets()
    wheel = {
        "file_name": "numpy-2.3.5-cp311-manylinux_2_28_x86_64.whl",
        "length": 9,
        "sha256": "cd" * 32,
    }
    signed = good.signed.model_copy(update={"wheelhouse": [ReleaseWheel(**wheel)]})
    # A wheelhouse slipped into targets signed without it breaks the signature.
    swapped = good.model_copy(update={"signed": signed})
    with pytest.raises(ReleaseMetadataError, match="signature"):
        verify_release_targets(swapped, KEYS, running_version="0.2.0", seen_release=None)
    kid, signature = _sign(HALL, signed)
    resigned = ReleaseTargetsPublic(signed=signed, kid=kid, signature_b64=signature)
    assert verify_release_targets(resigned, KEYS, running_version="0.2.0", seen_release=None)
    base = good.signed.model_dump()
    for name in ("../evil.whl", "sub/dir-1.0.whl", "x-1.0.exe", ".hidden-1.0.whl"):
        with pytest.raises(ValidationError):
            ReleaseTargetsSigned(**{**base, "wheelhouse": [{**wheel, "file_name": name}]})
    with pytest.raises(ValidationError, match="names a file twice"):
        ReleaseTargetsSigned(**{**base, "wheelhouse": [wheel, wheel]})
