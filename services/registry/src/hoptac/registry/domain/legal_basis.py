"""The legal basis of the rules the register applies: the documents of the policy library
(by their number and symbol) that the status transitions and the required fields rest on.

Only what the documents' own titles and scope establish is cited: Cooperative Law 17/2023/QH15
governs founding, dissolution and bankruptcy; Decree 92/2024/NĐ-CP the registration itself
(founding, changes, suspension, dissolution, revocation of the certificate); Circular
09/2024/TT-BKHĐT the registration forms, among them Annex II-8, the notice of suspension. An
article is named only where it is known for certain; otherwise the citation is the document.

Each rule has a code (`status.<status>`, `field.<field>`): the policy library keeps, under that
code, the article of a cited document that staff recorded as the rule's basis.
"""

from __future__ import annotations

from dataclasses import dataclass

from hoptac.contracts.codes import Status

LAW = "17/2023/QH15"
DECREE = "92/2024/NĐ-CP"
CIRCULAR = "09/2024/TT-BKHĐT"


@dataclass(frozen=True)
class Citation:
    number: str  # the document's number and symbol, as the library holds it
    provision: str | None = None  # the article, clause or annex, where known for certain


def status_rule(status: Status) -> str:
    """The code of the rule of entering `status`."""
    return f"status.{status.value}"


def field_rule(field: str) -> str:
    """The code of the rule that requires `field`."""
    return f"field.{field}"


# The basis of entering each status: a transition rests on the rule of the status it leads to,
# a refusal from a final status on the rule that made it final.
STATUS_BASIS: dict[Status, tuple[Citation, ...]] = {
    Status.OPERATING: (Citation(LAW), Citation(DECREE)),
    Status.SUSPENDED: (Citation(DECREE), Citation(CIRCULAR, "Phụ lục II-8")),
    Status.DISSOLVING: (Citation(LAW), Citation(DECREE)),
    Status.DISSOLVED: (Citation(LAW), Citation(DECREE)),
    Status.BANKRUPT: (Citation(LAW),),
    Status.CERTIFICATE_REVOKED: (Citation(DECREE),),
}

# The fields a record cannot be registered without, each with the documents that require it:
# the registration certificate and its forms (the sector group is read from the business lines
# the forms declare).
REQUIRED_FIELDS: dict[str, tuple[Citation, ...]] = {
    "registration_number": (Citation(DECREE),),
    "name": (Citation(LAW), Citation(DECREE)),
    "kind": (Citation(LAW),),
    "registered_on": (Citation(DECREE),),
    "address.province_code": (Citation(DECREE), Citation(CIRCULAR)),
    "sector.group": (Citation(CIRCULAR),),
}
