"""What a batch of the loader replaces: the keys the warehouse already holds, asked of a `KeyIndex`.

A batch (`warehouse.load_reports`) deletes a key's old rows before inserting it, so it must know which
of its keys are stored. The growing tables have no primary-key index (migrations 006/007), so asking
the warehouse means scanning them: `reports` for the batch's report and document ids, `documents` and
`report_documents` for the merges, `findings` for the loader's own findings, and `report_documents`
joined to `reports` for the copies' fingerprints. Each such scan costs ~5 ms per 100,000 rows, every
batch: the time per document grew with the warehouse.

There is one way to decide what a batch replaces — `_write` asks a `KeyIndex` — and two indexes:

- `BatchKeys` asks the warehouse for just the batch's keys (the scans above). For a caller with no
  run around it (tests, one-off writes, the per-report retry of a caller without a map): nothing to
  read up front, nothing to keep in step. It answers `reports` exactly and the other questions with
  "maybe" (every key asked), so the batch issues every DELETE, as the loader always did.
- `RunKeys` reads the keys whole once, when the run opens the warehouse (one scan of each table), and
  is updated by the batch only after its COMMIT (never after a ROLLBACK, so a failed batch leaves it
  as it was, and the per-report retries update it report by report). DuckDB lets one process write a
  file at a time and a run's writes all go through the loader, so for the run it is exact: a batch
  then issues a DELETE only for keys that are stored, and a first load is append-only.

Every answer except `reports` may be a superset (a key that might be stored), never a subset: a
DELETE for a key not stored deletes nothing, so a superset costs a scan and nothing else. `RunKeys`
uses that to stay small (~1M reports in a few hundred MB, measured in benchmarks/README.md § Loader):
a copy (report_id, document_id) is known only by its document (the map holds every document of
`documents` and `report_documents`), the copies' fingerprints only as "all equal to this one" or
"may differ". Inside the map a document id that is a SHA-256 hex digest (64 lowercase hex characters,
as the crawler and `zfxxgk load` make them) is held as its 32 bytes and a fingerprint of 16 hex
characters as its 64-bit integer (`_doc`, `_fp`: one-to-one, anything else kept as the string), and
a report id without the UTF-8 copy of itself polars and DuckDB leave on a non-ASCII str (`_plain`).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional, Protocol, Union

import duckdb
import polars as pl

from pipelines import rules

# (report_id, document_id, parse_status, loaded_at) of a stored `reports` row
Known = tuple[str, str, str, Optional[datetime]]


class _Differ:
    """A report whose copies' fingerprints may differ (or are not known to agree)."""

    def __repr__(self) -> str:
        return "DIFFER"


DIFFER = _Differ()
NO_COPIES = object()  # no stored copy
# The fingerprints of a report's copies: the one non-NULL numbers_hash they all share (in the run's map:
# as `_fp` holds it), None (no copy has one), DIFFER, or NO_COPIES.
HashState = Union[str, int, None, _Differ, object]
DocKey = Union[str, bytes]  # a document id as the run's map holds it (`_doc`)


def _doc(document_id: str) -> DocKey:
    """A document id as the map holds it: a SHA-256 hex digest as its 32 bytes (65 bytes of memory
    instead of 113), anything else as it is. One-to-one: only a string that `bytes.hex` gives back is
    converted, and bytes never equal a str."""
    if len(document_id) == 64:
        try:
            b = bytes.fromhex(document_id)
        except ValueError:
            return document_id
        if b.hex() == document_id:
            return b
    return document_id


def _doc_str(held: DocKey) -> str:
    """The document id `_doc` was given."""
    return held.hex() if isinstance(held, bytes) else held


def _fp(numbers_hash: Optional[str]) -> Union[int, str, None]:
    """A fingerprint (`frames.numbers_hash`, 16 hex characters) as the map holds it: its integer (36 bytes
    instead of 65); anything else as it is (one-to-one, like `_doc`)."""
    if numbers_hash is not None and len(numbers_hash) == 16:
        try:
            b = bytes.fromhex(numbers_hash)
        except ValueError:
            return numbers_hash
        if b.hex() == numbers_hash:
            return int.from_bytes(b, "big")
    return numbers_hash


def _plain(report_id: str) -> str:
    """The report id as a str of its own: one that went into a polars or Arrow column carries a cached
    UTF-8 copy (48 more bytes for a 23-character Chinese id), which the map need not keep."""
    return report_id.encode("utf-8").decode("utf-8") if not report_id.isascii() else report_id


def combine(state: HashState, hashes: Iterable[Union[str, int, None]]) -> HashState:
    """The copies' fingerprint state once `hashes` (new copies' numbers_hash) are added to `state`.
    (A copy re-loaded with another fingerprint keeps its old one in the state: DIFFER, "may differ".)"""
    for h in hashes:
        if state is NO_COPIES:
            state = h
        elif h is None or state is DIFFER or h == state:
            continue
        elif state is None:
            state = h
        else:
            return DIFFER
    return state


@dataclass
class BatchChange:
    """What a committed batch changed in the keys (the index's update, applied after COMMIT)."""

    removed_reports: set[str] = field(default_factory=set)  # `reports` rows deleted (replaced or stale)
    reports: list[Known] = field(default_factory=list)  # `reports` rows inserted
    documents: list[str] = field(default_factory=list)  # `documents` and `report_documents` rows written
    copies: dict[str, HashState] = field(default_factory=dict)  # report_id -> its copies' state after the batch
    cleared: dict[str, set[str]] = field(default_factory=dict)  # rule -> report_ids whose findings were deleted
    flagged: dict[str, set[str]] = field(default_factory=dict)  # rule -> report_ids given a finding


class KeyIndex(Protocol):
    """The stored keys a batch asks about; see the module docstring."""

    def reports(self, report_ids: list[str], document_ids: list[str]) -> list[Known]:
        """Exactly the stored `reports` rows with one of these report ids or document ids."""
        ...

    def documents(self, document_ids: list[str]) -> set[str]:
        """Those of `document_ids` that may have rows in `documents` or `report_documents`."""
        ...

    def with_finding(self, rule: str, report_ids: Iterable[str]) -> set[str]:
        """Those of `report_ids` that may have a finding of `rule` (the loader's own: L-write, D-copies-differ)."""
        ...

    def copies(self, report_id: str, hashes: list[Optional[str]]) -> HashState:
        """The report's copies' fingerprint state once copies with `hashes` are added (DIFFER: may differ)."""
        ...

    def committed(self, change: BatchChange) -> None:
        """The batch that made `change` has committed."""
        ...

    def failed(self, rule: str, report_id: str) -> None:
        """A finding of `rule` was written for `report_id` outside a batch (a report that failed to load)."""
        ...


class BatchKeys:
    """The warehouse asked for just a batch's keys (no state; see the module docstring)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection):
        self.conn = conn

    def reports(self, report_ids: list[str], document_ids: list[str]) -> list[Known]:
        self.conn.register("_batch_keys", pl.DataFrame(
            {"report_id": report_ids, "document_id": document_ids},
            schema={"report_id": pl.Utf8, "document_id": pl.Utf8}).to_arrow())
        try:
            # Two semi-joins: an OR of the two would make DuckDB probe every row twice, as mark joins.
            return self.conn.execute(
                "SELECT report_id, document_id, parse_status, loaded_at FROM reports "
                "WHERE report_id IN (SELECT report_id FROM _batch_keys) UNION "
                "SELECT report_id, document_id, parse_status, loaded_at FROM reports "
                "WHERE document_id IN (SELECT document_id FROM _batch_keys)").fetchall()
        finally:
            self.conn.unregister("_batch_keys")

    def documents(self, document_ids: list[str]) -> set[str]:
        return set(document_ids)

    def with_finding(self, rule: str, report_ids: Iterable[str]) -> set[str]:
        return set(report_ids)

    def copies(self, report_id: str, hashes: list[Optional[str]]) -> HashState:
        return DIFFER

    def committed(self, change: BatchChange) -> None:
        pass

    def failed(self, rule: str, report_id: str) -> None:
        pass


_LOADERS_RULES = (rules.L_WRITE.code, rules.D_COPIES_DIFFER.code)


class RunKeys:
    """The warehouse's keys held for a run: read once (`read`), updated after each committed batch.

    - `_reports`: report_id -> (document_id, parse_status, loaded_at, copies' state) of its `reports` row;
      (None, None, None, state) for a report id that has copies in `report_documents` but no row.
    - `_documents`: document_id -> the report_id whose `reports` row it is (None: none), for every
      document in `documents` or `report_documents`. (A report id, or a tuple of them if a warehouse
      written by an older loader has two rows of one document.)
    - `_findings`: rule -> report_ids holding a finding of the loader's own rules.

    Strings are shared (a report's document id is one object in both maps) and loaded_at values and
    statuses interned, so a million reports take a few hundred MB (`nbytes`)."""

    def __init__(self) -> None:
        self._reports: dict[str, tuple] = {}
        self._documents: dict[DocKey, Union[str, tuple, None]] = {}
        self._findings: dict[str, set[str]] = {r: set() for r in _LOADERS_RULES}

    @classmethod
    def read(cls, conn: duckdb.DuckDBPyConnection, chunk: int = 100_000) -> RunKeys:
        """One scan of each table (`reports` with `report_documents` grouped by report, `documents`,
        `findings` of the loader's rules), fetched in chunks."""
        keys = cls()
        times: dict = {}
        statuses: dict = {}
        cur = conn.execute("""
            SELECT coalesce(r.report_id, c.report_id), r.document_id, r.parse_status, r.loaded_at,
                   c.report_id IS NOT NULL, c.n_hashes, c.a_hash
            FROM reports r FULL JOIN (SELECT report_id, count(DISTINCT numbers_hash) AS n_hashes,
                                             min(numbers_hash) AS a_hash
                                      FROM report_documents GROUP BY report_id) c USING (report_id)""")
        docs = keys._documents
        while rows := cur.fetchmany(chunk):
            for rid, doc, status, at, has_copies, n_hashes, a_hash in rows:
                state = (NO_COPIES if not has_copies else None if n_hashes == 0 else _fp(a_hash) if n_hashes == 1
                         else DIFFER)
                if doc is None:
                    keys._reports[rid] = (None, None, None, state)
                    continue
                doc = _doc(doc)
                keys._reports[rid] = (doc, statuses.setdefault(status, status), times.setdefault(at, at), state)
                held = docs.get(doc)
                docs[doc] = rid if held is None else (*(held if isinstance(held, tuple) else (held,)), rid)
            del rows
        cur = conn.execute("SELECT document_id FROM documents UNION SELECT document_id FROM report_documents")
        while rows := cur.fetchmany(chunk):
            for (doc,) in rows:
                docs.setdefault(_doc(doc), None)
            del rows
        for rule, rid in conn.execute("SELECT DISTINCT rule, report_id FROM findings WHERE rule IN (?, ?) "
                                      "AND report_id IS NOT NULL", list(_LOADERS_RULES)).fetchall():
            keys._findings[rule].add(rid)
        return keys

    def reports(self, report_ids: list[str], document_ids: list[str]) -> list[Known]:
        out: dict[str, Known] = {}
        for rid in report_ids:
            v = self._reports.get(rid)
            if v is not None and v[0] is not None:
                out[rid] = (rid, _doc_str(v[0]), v[1], v[2])
        for doc in document_ids:
            d = _doc(doc)
            held = self._documents.get(d)
            for rid in (() if held is None else held if isinstance(held, tuple) else (held,)):
                v = self._reports.get(rid)
                if v is not None and v[0] == d:
                    out[rid] = (rid, doc, v[1], v[2])
        return list(out.values())

    def documents(self, document_ids: list[str]) -> set[str]:
        return {d for d in document_ids if _doc(d) in self._documents}

    def with_finding(self, rule: str, report_ids: Iterable[str]) -> set[str]:
        held = self._findings[rule]
        return {r for r in report_ids if r in held}

    def copies(self, report_id: str, hashes: list[Optional[str]]) -> HashState:
        v = self._reports.get(report_id)
        return combine(NO_COPIES if v is None else v[3], [_fp(h) for h in hashes])

    def committed(self, change: BatchChange) -> None:
        reports, docs = self._reports, self._documents
        for rid in change.removed_reports:
            old = reports.pop(rid, None)
            if old is None:
                continue
            if old[3] is not NO_COPIES:  # its copies stay in report_documents
                reports[_plain(rid)] = (None, None, None, old[3])
            held = docs.get(old[0])
            if isinstance(held, tuple):
                rest = tuple(r for r in held if r != rid)
                docs[old[0]] = rest if len(rest) > 1 else rest[0] if rest else None
            elif held == rid:
                docs[old[0]] = None
        for doc in change.documents:
            docs.setdefault(_doc(doc), None)
        for rid, doc, status, at, in change.reports:
            # Popped and put back, so the map holds one object of each id: the key of `_reports` is the
            # report id `_documents` names, and the key of `_documents` the document its tuple holds.
            state = reports.pop(rid, (None, None, None, NO_COPIES))[3]
            rid, key = _plain(rid), _doc(doc)
            reports[rid] = (key, sys.intern(status), at, state)
            docs.pop(key, None)
            docs[key] = rid  # the batch deleted every other report row of this document (stale ids)
        for rid, state in change.copies.items():
            v = reports.get(rid)
            if v is None:
                reports[_plain(rid)] = (None, None, None, state)
            else:
                reports[rid] = (*v[:3], state)
        for rule, rids in change.cleared.items():
            self._findings[rule] -= rids
        for rule, rids in change.flagged.items():
            self._findings[rule] |= rids

    def failed(self, rule: str, report_id: str) -> None:
        self._findings[rule].add(report_id)

    def __len__(self) -> int:
        return len(self._reports)

    def nbytes(self) -> int:
        """The map's size in memory: the containers and the objects they hold, each counted once. Without
        a set of every object seen (at a million reports that set alone took ~250 MB, more than the
        benchmark should add to measure): the objects the two maps share are shared by construction
        (`read`, `committed`): a `_documents` entry naming one report holds that report's key and the
        document its tuple holds, and statuses and times are a few shared objects."""
        reports, docs = self._reports, self._documents
        size = sys.getsizeof
        total = size(reports) + size(docs) + sum(size(s) for s in self._findings.values())
        shared: dict[int, int] = {}  # statuses and times: a few objects, each held by many reports
        for rid, v in reports.items():
            total += size(rid) + size(v)
            if v[0] is not None:
                total += size(v[0])
                shared.setdefault(id(v[1]), size(v[1]))
                shared.setdefault(id(v[2]), size(v[2]))
            if not (v[3] is None or v[3] is NO_COPIES or v[3] is DIFFER):
                total += size(v[3])
        for doc, held in docs.items():
            if isinstance(held, str) and reports.get(held, (None,))[0] is doc:
                continue  # the report's key and its tuple's document, counted above
            total += size(doc)
            if isinstance(held, tuple):
                total += size(held)
        for s in self._findings.values():
            total += sum(size(rid) for rid in s)
        return total + sum(shared.values())
