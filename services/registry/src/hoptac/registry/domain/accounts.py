"""What an account's name and password must be, checked before anything is stored."""

from __future__ import annotations

import re

from hoptac.registry.domain.errors import FieldProblem

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
# Long enough to resist guessing behind the sign-in delays, short enough that hashing stays cheap;
# no composition rules, which push people to predictable patterns (NIST SP 800-63B).
MIN_PASSWORD = 10
MAX_PASSWORD = 128
MAX_DISPLAY_NAME = 200


def username_problems(username: str) -> list[FieldProblem]:
    if USERNAME.fullmatch(username):
        return []
    return [
        FieldProblem(
            "username",
            "3 to 64 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        )
    ]


def password_problems(password: str, username: str, field: str = "password") -> list[FieldProblem]:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return [FieldProblem(field, f"{MIN_PASSWORD} to {MAX_PASSWORD} characters")]
    if password.lower() == username.lower():
        return [FieldProblem(field, "must not be the user name")]
    return []


def display_name_problems(display_name: str) -> list[FieldProblem]:
    if 0 < len(display_name.strip()) <= MAX_DISPLAY_NAME:
        return []
    return [FieldProblem("display_name", f"1 to {MAX_DISPLAY_NAME} characters")]
