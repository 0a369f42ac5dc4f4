"""Every text comes from the one catalogue, and the catalogue is complete in both languages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import get_args

import pytest

from hoptac.contracts.codes import (
    DIGITAL_FLAGS,
    EventName,
    Kind,
    OperatingInPractice,
    SectorGroup,
    Status,
)
from hoptac.contracts.library import DocumentStatus, DocumentType, Topic
from hoptac.portal.adapters.catalogue import po_path, read_messages
from hoptac.portal.domain import campaign_form, record_form
from hoptac.portal.domain.formatting import LANGUAGES, Language
from hoptac.portal.domain.library_form import FACET_ORDER as LIBRARY_FACETS
from hoptac.portal.domain.search_form import FILTER_VALUES, SORTS
from hoptac.portal.domain.statistics_form import VIEWS
from hoptac.portal.entrypoints.http import search
from hoptac.portal.entrypoints.http.rendering import RECORD_FIELDS, TEMPLATES_DIR
from hoptac.portal.entrypoints.http.workspace import accounts as workspace_accounts
from hoptac.portal.entrypoints.http.workspace import audit as workspace_audit
from hoptac.portal.entrypoints.http.workspace import imports as workspace_imports
from hoptac.portal.entrypoints.http.workspace import proposal as workspace_proposal

pytestmark = pytest.mark.unit

SOURCE_DIR = Path(search.__file__).resolve().parents[2]
# _("key") and _('key') in templates and code, and keys written whole in the code.
CALLED = re.compile(r"""\b_["'\]]*\(\s*["']([a-z_.\-]+)["']""")
NAMED_IN_CODE = re.compile(r"""["']((?:error|unavailable)\.[a-z_]+)["']""")
# Workspace form controls: text_field("name", …, hint=true) labels "form.name" and hints it.
FORM_FIELD = re.compile(r"""(?:text|select)_field\("(\w+)"([^)]*)\)""")


def catalogue() -> dict[str, dict[str, str]]:
    return {language: read_messages(po_path(language)) for language in LANGUAGES}


def keys_in_use() -> set[str]:
    keys: set[str] = set()
    for path in [*TEMPLATES_DIR.rglob("*.html"), *SOURCE_DIR.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        keys |= set(CALLED.findall(text)) | set(NAMED_IN_CODE.findall(text))
        for name, arguments in FORM_FIELD.findall(text):
            keys |= {f"form.{name}", *([f"form.{name}_hint"] if "hint=true" in arguments else [])}
    # Prefixes the templates complete ("facet." ~ name) and template names are not messages.
    keys = {k for k in keys if not k.endswith((".", ".html"))}
    # Keys the templates and code compose from coded values.
    keys |= {f"kind.{v}" for v in Kind} | {f"status.{v}" for v in Status}
    keys |= {f"sector_group.{v}" for v in SectorGroup}
    keys |= {f"operating_in_practice.{v}" for v in OperatingInPractice}
    keys |= {f"event.{v.event_type}" for v in EventName}
    keys |= {f"digital.{flag}" for flag in DIGITAL_FLAGS}
    keys |= {f"field.{name}" for name in RECORD_FIELDS}
    keys |= {f"facet.{name}" for name in search.FACET_ORDER}
    keys |= {f"export.{column}" for column in search.EXPORT_COLUMNS}
    keys |= {f"error.{name}_invalid" for name in FILTER_VALUES}
    keys |= {f"sort.{sort}" for sort in SORTS} | {"ocop.true", "ocop.false"}
    keys |= {f"stats.view.{v}" for v in VIEWS} | {f"stats.key.{v}" for v in VIEWS}
    keys |= {f"sector_class.{v}" for v in ("agriculture", "non_agriculture")}
    keys |= {f"unavailable.{part}" for part in ("search", "reporting", "registry", "library")}
    fields = (*record_form.IDENTITY, *record_form.EDITABLE)
    keys |= {f"form.{f.name}" for f in fields}
    keys |= {f"error.{f.name}_required" for f in fields if f.required}
    keys |= {f"error.{name}_required" for name in workspace_accounts.REQUIRED}
    keys |= {f"error.{kind}_invalid" for kind in ("count", "money")}
    keys |= {f"role.{role}" for role in workspace_accounts.ROLES}
    keys |= {f"ws.audit_action.{prefix[:-1]}" for prefix in workspace_audit.ACTIONS}
    keys |= {f"imp.state.{state}" for state in workspace_imports.PROPOSAL_STATES}
    keys |= {f"rev.action.{step}" for step in workspace_proposal.AUDITED_STEPS}
    keys |= {f"camp.state.{state}" for state in get_args(campaign_form.State)}
    keys |= {f"camp.kind.{kind}" for kind in campaign_form.SCHEDULED_REMINDERS}
    keys |= {f"library.type.{v}" for v in DocumentType} | {f"library.topic.{v}" for v in Topic}
    keys |= {f"library.status.{v}" for v in DocumentStatus}
    keys |= {f"library.facet.{name}" for name in LIBRARY_FACETS}
    keys |= {f"basis.{kind}" for kind in ("article", "annex")}  # an article's kind
    return keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_in_use_has_a_text_in_each_language(language: Language) -> None:
    missing = sorted(keys_in_use() - catalogue()[language].keys())
    assert missing == [], f"add these to {po_path(language)}"


def test_both_languages_have_the_same_keys_and_the_same_placeholders() -> None:
    vi, en = catalogue()["vi"], catalogue()["en"]
    assert vi.keys() == en.keys()
    placeholder = re.compile(r"%\((\w+)\)s")
    for key in vi:
        assert set(placeholder.findall(vi[key])) == set(placeholder.findall(en[key])), key


def test_no_key_is_unused() -> None:
    unused = sorted(catalogue()["vi"].keys() - keys_in_use())
    assert unused == []


class _VisibleText(HTMLParser):
    """Text outside tags and outside <code>, with the Jinja expressions taken out."""

    def __init__(self) -> None:
        super().__init__()
        self.in_code = 0
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_code += tag == "code"
        for name, value in attrs:
            if name in ("aria-label", "title", "alt", "placeholder") and value:
                self.handle_data(value)

    def handle_endtag(self, tag: str) -> None:
        self.in_code -= tag == "code"

    def handle_data(self, data: str) -> None:
        if not self.in_code:
            self.words += re.findall(r"[^\W\d_]{2,}", data)


@pytest.mark.parametrize(
    "template", sorted(str(p.relative_to(TEMPLATES_DIR)) for p in TEMPLATES_DIR.rglob("*.html"))
)
def test_templates_hold_no_text_of_their_own(template: str) -> None:
    source = (TEMPLATES_DIR / template).read_text(encoding="utf-8")
    without_jinja = re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", " ", source, flags=re.DOTALL)
    # A macro may write attributes for the tag that calls it (aria-invalid="true").
    without_jinja = re.sub(r'[\w-]+="[^"]*"', " ", without_jinja)
    parser = _VisibleText()
    parser.feed(without_jinja)
    assert parser.words == []
