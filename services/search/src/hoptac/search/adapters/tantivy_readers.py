"""Searches in reader processes: the service's other cores.

One process answers HTTP and owns the index writer; a search takes a millisecond or two of
Python CPU, so that process alone is bound to one core. With `search_processes` > 0 the
searches run in that many reader processes instead (`python -m
hoptac.search.adapters.tantivy_readers`), each with its own read-only view of the current
generation, one request at a time over its stdin and stdout (length-prefixed pickles: no
threads in the service process, a few tens of microseconds a request). Before every search a
reader checks, with two `stat` calls, whether the pointer file names another generation (a
reindex switched) or the generation's `meta.json` changed (the writer committed), and then
reopens or reloads: a commit is searchable in a reader as soon as in the writer's process.
A reader that dies is started again; Linux ends the readers when the service process ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import pickle
import signal
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO

from hoptac.search.adapters.tantivy_generation import POINTER, Generation
from hoptac.search.domain.query import CommuneCounts, SearchQuery, SearchResult

PR_SET_PDEATHSIG = 1
FRAME = struct.Struct("!I")


class ReaderFailed(Exception):
    """A search failed in a reader process (the reader goes on)."""


class _Reader:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        assert process.stdin is not None
        assert process.stdout is not None
        self.stdin = process.stdin
        self.stdout = process.stdout

    async def ask(self, request: tuple[str, tuple[Any, ...]]) -> Any:
        payload = pickle.dumps(request, pickle.HIGHEST_PROTOCOL)
        self.stdin.write(FRAME.pack(len(payload)) + payload)
        await self.stdin.drain()
        (size,) = FRAME.unpack(await self.stdout.readexactly(FRAME.size))
        ok, answer = pickle.loads(await self.stdout.readexactly(size))
        if not ok:
            raise ReaderFailed(answer)
        return answer


class Readers:
    """The reader processes, seen from the service process."""

    def __init__(self, root: Path, processes: int) -> None:
        self.root = root
        self.processes = processes
        self._idle: asyncio.Queue[_Reader] = asyncio.Queue()
        self._all: list[_Reader] = []

    async def start(self) -> None:
        """Start every reader and open its view now, not at the first searches."""
        readers = await asyncio.gather(*(self._spawn() for _ in range(self.processes)))
        for reader in readers:
            self._idle.put_nowait(reader)

    async def _spawn(self) -> _Reader:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            str(self.root),
            str(os.getpid()),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        reader = _Reader(process)
        self._all.append(reader)
        await reader.ask(("count", ()))  # opened and answering
        return reader

    async def search(self, query: SearchQuery) -> SearchResult:
        result: SearchResult = await self._ask("search", query)
        return result

    async def search_answer(self, query: SearchQuery) -> bytes:
        body: bytes = await self._ask("search_answer", query)
        return body

    async def suggest(self, q: str, limit: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = await self._ask("suggest", q, limit)
        return items

    async def communes(self, query: SearchQuery) -> CommuneCounts:
        counts: CommuneCounts = await self._ask("communes", query)
        return counts

    async def _ask(self, what: str, *args: Any) -> Any:
        # shielded: a request abandoned by its client still reads its answer, so the next
        # request on that reader does not read this one's
        return await asyncio.shield(self._exchange((what, args)))

    async def _exchange(self, request: tuple[str, tuple[Any, ...]]) -> Any:
        reader = await self._idle.get()
        try:
            if reader.stdin.is_closing() or reader.process.returncode is not None:
                reader = await self._replace(reader)
            try:
                return await reader.ask(request)
            except ReaderFailed:  # the search itself failed: the reader is fine
                raise
            except (OSError, RuntimeError, asyncio.IncompleteReadError):  # the reader died
                reader = await self._replace(reader)
                return await reader.ask(request)
        finally:
            self._idle.put_nowait(reader)  # a dead one is replaced when it is next taken

    async def _replace(self, reader: _Reader) -> _Reader:
        if reader in self._all:
            self._all.remove(reader)
        with contextlib.suppress(ProcessLookupError):
            reader.process.kill()
        return await self._spawn()

    async def close(self) -> None:
        for reader in self._all:
            with contextlib.suppress(OSError):
                reader.stdin.close()  # the reader ends at the end of its input
        for reader in self._all:
            try:
                await asyncio.wait_for(reader.process.wait(), 5)
            except TimeoutError:
                reader.process.kill()
                await reader.process.wait()
        self._all.clear()


# --- in a reader process ---------------------------------------------------------------------


class _View:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.pointer_stamp: tuple[int, int] | None = None
        self.meta_stamp: tuple[int, int] | None = None
        self.generation: Generation | None = None

    def current(self) -> Generation:
        """The generation the pointer names, at its latest commit. Each stamp is taken before
        what it stands for is read, so a change in between is seen at the next search."""
        pointer = _stamp(self.root / POINTER)
        generation = self.generation
        if pointer != self.pointer_stamp or generation is None:
            self.pointer_stamp = pointer
            name = (self.root / POINTER).read_text().strip()
            if generation is None or name != generation.name:
                self.meta_stamp = _stamp(self.root / name / "meta.json")
                self.generation = Generation(self.root / name, False, 0)
                return self.generation
        meta = _stamp(generation.path / "meta.json")
        if meta != self.meta_stamp:
            self.meta_stamp = meta
            generation.refresh()
        return generation


def _stamp(path: Path) -> tuple[int, int]:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return (0, 0)
    return (status.st_ino, status.st_mtime_ns)


def _die_with(parent: int) -> None:
    """Ask Linux to end this reader when the service process ends, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it ended before that
        sys.exit(0)


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def serve(root: Path, requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer requests until the input ends."""
    view = _View(root)
    while (header := _read_exactly(requests, FRAME.size)) is not None:
        payload = _read_exactly(requests, FRAME.unpack(header)[0])
        if payload is None:
            return
        what, args = pickle.loads(payload)
        try:
            generation = view.current()
            if what == "search_answer":
                answer: tuple[bool, Any] = (True, generation.search_answer(*args))
            elif what == "search":
                answer = (True, generation.search(*args))
            elif what == "suggest":
                answer = (True, generation.suggest(*args))
            elif what == "communes":
                answer = (True, generation.communes(*args))
            else:
                answer = (True, generation.count())
        except Exception as error:  # the service raises it for this request only
            answer = (False, f"{type(error).__name__}: {error}")
        body = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        answers.write(FRAME.pack(len(body)) + body)
        answers.flush()


if __name__ == "__main__":
    _die_with(int(sys.argv[2]))
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else writes to stdout goes to stderr, not into the answers
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):
        serve(Path(sys.argv[1]), sys.stdin.buffer, answers)
