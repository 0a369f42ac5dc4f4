"""What an account's name and password must be, checked before anything is stored."""

from __future__ import annotations

import re

from hoptac.platform.text import Text
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
            Text("registry.username_form"),
        )
    ]


def password_problems(password: str, username: str, field: str = "password") -> list[FieldProblem]:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return [
            FieldProblem(
                field, Text("registry.length_between", low=MIN_PASSWORD, high=MAX_PASSWORD)
            )
        ]
    if password.lower() == username.lower():
        return [FieldProblem(field, Text("registry.password_is_username"))]
    return []


def display_name_problems(display_name: str) -> list[FieldProblem]:
    if 0 < len(display_name.strip()) <= MAX_DISPLAY_NAME:
        return []
    return [
        FieldProblem("display_name", Text("registry.length_between", low=1, high=MAX_DISPLAY_NAME))
    ]
