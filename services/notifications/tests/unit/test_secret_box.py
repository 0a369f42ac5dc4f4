"""Signing secrets sealed at rest: round trips, secrets stored before sealing, key rotation,
and a clear error for a key that is wrong or malformed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hoptac.notifications.adapters.secret_box import (
    SEALED,
    SecretBox,
    SecretKeyProblem,
    local_key,
    new_key,
    parse_keys,
)

pytestmark = pytest.mark.unit

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def box(*keys: str) -> SecretBox:
    return SecretBox(lambda: list(keys))


def test_a_sealed_secret_opens_and_does_not_show() -> None:
    key = new_key()
    sealed = box(key).seal(SECRET)
    assert sealed.startswith(SEALED)
    assert "MfKQ9r8" not in sealed
    assert box(key).open(sealed) == SECRET


def test_a_secret_stored_before_sealing_still_opens() -> None:
    assert box(new_key()).open(SECRET) == SECRET


def test_a_new_key_first_opens_the_old_seals_and_reseals_them() -> None:
    old, new = new_key(), new_key()
    sealed = box(old).seal(SECRET)
    both = box(new, old)
    assert both.open(sealed) == SECRET
    resealed = both.reseal(sealed)
    assert box(new).open(resealed) == SECRET
    with pytest.raises(SecretKeyProblem, match="reseal"):
        box(new).open(sealed)


def test_a_malformed_key_is_named() -> None:
    with pytest.raises(SecretKeyProblem, match="key 2 is not a Fernet key"):
        box(new_key(), "not-a-key").seal(SECRET)


def test_keys_come_comma_separated_and_not_empty() -> None:
    assert parse_keys(" a, b ,") == ["a", "b"]
    with pytest.raises(SecretKeyProblem, match="holds no key"):
        parse_keys(" , ")


def test_the_local_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "notifications-secret-key"
    first = local_key(path)
    assert local_key(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert box(first).open(box(first).seal(SECRET)) == SECRET
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
