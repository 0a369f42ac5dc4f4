import asyncio
import weakref
from datetime import UTC, date, datetime, timedelta

from hoptac.collection.kept_checks import CheckKey, KeptChecks
from hoptac.platform.identity import Caller

MADE = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
OFFICER = Caller("officer", "area_officer", ("96",), (), token="first-token")
KEY = CheckKey("checksum", OFFICER, "vi", date(2026, 12, 5))


def kept(check: str = "check", head: int = 7) -> KeptChecks[str]:
    checks: KeptChecks[str] = KeptChecks(timedelta(minutes=30))
    checks.keep(KEY, head, MADE, check)
    return checks


def test_the_import_of_the_same_file_takes_the_check_once() -> None:
    checks = kept()
    same_caller_other_token = CheckKey(
        "checksum", Caller("officer", "area_officer", ("96",), (), token="other"), "vi", KEY.day
    )

    assert checks.holds(same_caller_other_token, MADE)
    assert checks.take(same_caller_other_token, 7, MADE + timedelta(minutes=5)) == "check"
    assert checks.take(KEY, 7, MADE + timedelta(minutes=5)) is None


def test_a_moved_register_or_an_unknown_head_makes_the_import_check_again() -> None:
    for head in (8, None):
        checks = kept()
        assert checks.take(KEY, head, MADE) is None
        assert not checks.holds(KEY, MADE), "forgotten once asked"


def test_another_file_person_area_language_or_day_is_not_given_the_check() -> None:
    checks = kept()
    others = [
        CheckKey("another", OFFICER, "vi", KEY.day),
        CheckKey("checksum", Caller("someone", "area_officer", ("96",)), "vi", KEY.day),
        CheckKey("checksum", Caller("officer", "area_officer", ("01",)), "vi", KEY.day),
        CheckKey("checksum", OFFICER, "en", KEY.day),
        CheckKey("checksum", OFFICER, "vi", date(2026, 12, 6)),
    ]

    assert [checks.take(other, 7, MADE) for other in others] == [None] * 5
    assert checks.take(KEY, 7, MADE) == "check", "asking for another key keeps it"


def test_a_check_is_forgotten_when_too_old_or_replaced_by_a_newer_dry_run() -> None:
    assert kept().take(KEY, 7, MADE + timedelta(minutes=31)) is None
    checks = kept()
    checks.keep(CheckKey("newer", OFFICER, "vi", KEY.day), 9, MADE, "newer check")
    assert checks.take(KEY, 7, MADE) is None


def test_nothing_is_kept_when_reuse_is_turned_off() -> None:
    checks: KeptChecks[str] = KeptChecks(timedelta(0))
    checks.keep(KEY, 7, MADE, "check")
    assert not checks.holds(KEY, MADE)


async def test_the_memory_is_freed_after_the_age_even_if_nobody_asks() -> None:
    checks: KeptChecks[str] = KeptChecks(timedelta(seconds=0.01))
    checks.keep(KEY, 7, MADE, "check")
    await asyncio.sleep(0.05)
    assert not checks.holds(KEY, MADE), "dropped by the timer, not by the age given"


async def test_a_taken_check_is_not_held_any_longer() -> None:
    class Check:
        pass

    checks: KeptChecks[Check] = KeptChecks(timedelta(minutes=30))
    check = Check()
    checks.keep(KEY, 7, MADE, check)
    taken = weakref.ref(check)
    assert checks.take(KEY, 7, MADE) is check
    del check

    assert taken() is None, "nothing (the timer included) holds it after it was taken"
