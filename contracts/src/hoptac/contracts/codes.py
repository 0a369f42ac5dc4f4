"""Coded values that are part of the contract (docs/design.md, section 5)."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    COOPERATIVE = "cooperative"
    COOPERATIVE_UNION = "cooperative_union"
    COOPERATIVE_GROUP = "cooperative_group"
    PEOPLES_CREDIT_FUND = "peoples_credit_fund"


class Status(StrEnum):
    OPERATING = "operating"
    SUSPENDED = "suspended"
    DISSOLVING = "dissolving"
    DISSOLVED = "dissolved"
    BANKRUPT = "bankrupt"
    CERTIFICATE_REVOKED = "certificate_revoked"


# Dissolved and bankrupt are final (Cooperative Law 17/2023/QH15); a revoked certificate can be
# restored, so it is not.
FINAL_STATUSES = frozenset({Status.DISSOLVED, Status.BANKRUPT})


class SectorGroup(StrEnum):
    AGRICULTURE = "agriculture"
    INDUSTRY_HANDICRAFT = "industry_handicraft"
    CONSTRUCTION = "construction"
    TRADE_SERVICES = "trade_services"
    TRANSPORT = "transport"
    CREDIT = "credit"
    ENVIRONMENT = "environment"
    HOUSING = "housing"
    OTHER = "other"


class OperatingInPractice(StrEnum):
    YES = "yes"
    NOMINAL = "nominal"
    NOT_AT_ADDRESS = "not_at_address"
    UNKNOWN = "unknown"


# The digital-transformation questions of Directive 19/CT-TTg: the fields of a record's
# `digital`, in this order wherever they are listed.
DIGITAL_FLAGS = (
    "computer",
    "internet",
    "website",
    "social_media",
    "ecommerce",
    "digital_signature",
    "accounting_software",
    "e_invoice",
    "iot",
    "traceability",
)


class EventName(StrEnum):
    """The `<event>` part of subject `coop.v1.org.<event>.<province_code>`."""

    REGISTERED = "registered"
    UPDATED = "updated"
    STATUS_CHANGED = "status_changed"
    MERGED = "merged"
    REMOVED = "removed"

    @property
    def event_type(self) -> str:
        return f"organization.{self.value}"
