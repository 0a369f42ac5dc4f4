"""`hoptac search reindex` when it cannot finish: the current index stays as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hoptac.platform.embedded.ports import free_port
from hoptac.search.entrypoints.cli import one_reindex_at_a_time, search_app

pytestmark = pytest.mark.integration


def test_an_unreachable_registry_leaves_the_current_generation_in_place(tmp_path: Path) -> None:
    args = ["reindex", "--var-dir", str(tmp_path), "--token", "t"]
    args += ["--registry-url", f"http://127.0.0.1:{free_port()}"]
    result = CliRunner().invoke(search_app, args)
    assert result.exit_code == 1
    assert "the current index is untouched" in result.output
    generations = [p.name for p in (tmp_path / "search").glob("gen-*")]
    assert generations == [(tmp_path / "search" / "current").read_text().strip()]


def test_without_a_token_it_says_where_one_comes_from(tmp_path: Path) -> None:
    result = CliRunner().invoke(search_app, ["reindex", "--var-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "service-token" in result.output


def test_a_second_reindex_is_refused_while_one_runs(tmp_path: Path) -> None:
    with one_reindex_at_a_time(tmp_path / "search-reindex.lock"):
        args = ["reindex", "--var-dir", str(tmp_path), "--token", "t"]
        result = CliRunner().invoke(search_app, [*args, "--registry-url", "http://127.0.0.1:1"])
    assert result.exit_code == 3
    assert "another reindex is running" in result.output
    assert str(os.getpid()) in result.output
    assert not (tmp_path / "search").exists(), "nothing opened or built"

    with one_reindex_at_a_time(tmp_path / "search-reindex.lock"):
        pass  # free again once the first one ended
