"""Where PostgreSQL's time goes, statement by statement (`pg_stat_statements`), for benchmarks
run with `--pg-statements`: the server is started with the module preloaded, each step resets
the counters and then prints its heaviest statements, over every database of the server, and
the write-ahead log it wrote (records, full-page images, bytes) and the checkpoints it took."""

from __future__ import annotations

import asyncpg

from bench.common import report

SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track": "all",
    "pg_stat_statements.max": "2000",
}
_SHOWN = 12
_TEXT = 90


async def reset(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        await connection.execute("SELECT pg_stat_statements_reset()")
        await connection.execute("SELECT pg_stat_reset_shared('wal')")
        await connection.execute("SELECT pg_stat_reset_shared('checkpointer')")
    finally:
        await connection.close()


async def show(dsn: str, step: str) -> None:
    """The step's statements by time spent executing, heaviest first."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            """
            SELECT d.datname, s.calls, s.rows, s.total_exec_time, s.query
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            ORDER BY s.total_exec_time DESC LIMIT $1
            """,
            _SHOWN,
        )
        total = await connection.fetchval("SELECT sum(total_exec_time) FROM pg_stat_statements")
        wal = await connection.fetchrow("SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal")
        checkpoints = await connection.fetchrow(
            "SELECT num_timed, num_requested FROM pg_stat_checkpointer"
        )
    finally:
        await connection.close()
    report.heading(f"PostgreSQL statements: {step} ({(total or 0) / 1000:.1f} s executing)")
    report.table(
        ["database", "calls", "rows", "ms", "ms/call", "statement"],
        [
            [
                row["datname"].removeprefix("hoptac_"),
                report.number(row["calls"]),
                report.number(row["rows"]),
                report.number(row["total_exec_time"]),
                report.number(row["total_exec_time"] / max(row["calls"], 1), 2),
                " ".join(row["query"].split())[:_TEXT],
            ]
            for row in rows
        ],
    )
    report.facts(
        [
            ("WAL records / full-page images", f"{wal['wal_records']:,} / {wal['wal_fpi']:,}"),
            ("WAL written", f"{wal['wal_bytes'] / 2**20:,.0f} MiB"),
            (
                "checkpoints timed / requested",
                f"{checkpoints['num_timed']} / {checkpoints['num_requested']}",
            ),
        ]
    )
