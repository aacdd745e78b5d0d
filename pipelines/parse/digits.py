"""Table rows whose delimiters were lost: digits run together, or numbers split in two.

A PDF converted to text, or a page stripped of its markup, prints a table row as its label
followed by digit groups whose boundaries are not the cells' boundaries:

- run together: 「一、本年新收政府信息公开申请数量7250007」 (7 cells, one group),
- split in two by a column boundary: 「… 1 2 3 0 0 0 0 15」 (12 printed as "1 2"),

The row's label says how many cells it has (7 in table 3, 15 in table 4, 1–3 in table 2);
the format's own arithmetic says which splits are possible.

The search
----------
The printed row becomes a list of *atoms* and the gaps between them:

- fewer groups than cells: atoms are single digits; a gap inside a group may or may not
  be a cell boundary, a gap between groups (whitespace) must be one;
- more groups than cells: atoms are the groups; a gap between groups may or may not be a
  cell boundary, no group is cut.

A depth-first search assigns atoms to cells left to right. A cell never has a leading zero
("05" is no count; "0" is), and a decimal point keeps its group whole. `blocks` name the
row's sum rules, e.g. table 3: cell 6 = cells 0..5; table 4: cells 4, 9, 14 each the sum of
the four before. When the search reaches a block's total cell, that cell's text is forced
(it must print the sum), which prunes the search to a few hundred nodes for real rows.

The ambiguity rule
------------------
`solve` returns every split that satisfies every rule (up to `MAX_SOLUTIONS`). The caller
keeps a cell only when all the splits agree on it (`agreed`); a cell on which two valid
splits differ stays null with a finding: the parser never picks one of several readings.
Cross-row rules (table 3's R1 and R3) may narrow a row's splits further (`tables.py`).
"""
from __future__ import annotations

import re
from typing import Optional

MAX_SOLUTIONS = 64
MAX_NODES = 200_000

_TOKEN = re.compile(r"^-?\d+(,\d{3})*(\.\d+)?$")


class TooManySplits(Exception):
    """The search space is too large to enumerate: the row is treated as ambiguous."""


def solve(groups: list[str], n: int, blocks: list[tuple[int, int]] = (),
          joinable: Optional[list[bool]] = None) -> list[list[float]]:
    """Every split of the printed digit `groups` into `n` numbers that satisfies `blocks`.

    `blocks`: (first, total) pairs meaning value[total] == sum(value[first:total]).
    Groups are digit strings, a minus sign first for a negative number (a group with a decimal
    point is never cut). `joinable[i]`: the gap after group i is a stray space that may fall
    inside a number (「500000 5」); without it a gap between groups ends a cell whenever there
    are fewer groups than cells."""
    groups = [g for g in groups if g]
    if not groups or any(not _TOKEN.match(g) for g in groups):
        return []
    if len(groups) == n and joinable is None:
        # the printed delimiters are the cells' boundaries, if the arithmetic holds
        values = [_value(g) for g in groups]
        ok = all(_clean(g) for g in groups) and \
            all(abs(values[t] - sum(values[f:t])) < 1e-9 for f, t in blocks)
        return [values] if ok else []
    if len(groups) < n or joinable is not None:
        atoms: list[str] = []
        gaps: list[str] = []  # gap after atom i: "must" (a cell ends), "may"
        for i, g in enumerate(groups):
            end = "may" if joinable is not None and i < len(joinable) and joinable[i] else "must"
            if "." in g:  # a decimal point keeps its number whole
                atoms.append(g)
                gaps.append(end)
            elif "," in g:
                # a thousands separator ends its number, but digits run into its head: 「553,243」
                # is 553,243 or 5|53,243 or 55|3,243 (the separator stays with the last head digit)
                head, rest = g.split(",", 1)
                sign = 1 if head.startswith("-") else 0
                singles = [head[:1 + sign]] + list(head[1 + sign:]) if len(head) > 1 + sign else []
                last = head[-1] if singles else head
                singles = singles[:-1] if singles else []
                atoms.extend(singles + [last + "," + rest])
                gaps.extend(["may"] * len(singles) + [end])
            else:
                sign = 1 if g.startswith("-") else 0
                atoms.extend([g[:1 + sign]] + list(g[1 + sign:]))
                gaps.extend(["may"] * (len(g) - 1 - sign) + [end])
    else:
        atoms = list(groups)
        gaps = ["may"] * len(groups)
    gaps[-1] = "must"
    totals = {t: f for f, t in blocks}
    block_of = {k: (f, t) for f, t in blocks for k in range(f, t)}
    # chars left after atom j, for the length bounds below
    left = [0] * (len(atoms) + 1)
    for j in range(len(atoms) - 1, -1, -1):
        left[j] = left[j + 1] + len(atoms[j])
    out: list[list[float]] = []
    nodes = 0
    values: list[float] = []

    def dfs(i: int) -> None:
        nonlocal nodes
        nodes += 1
        if nodes > MAX_NODES:
            raise TooManySplits
        k = len(values)
        if k == n:
            if i == len(atoms):
                out.append(list(values))
            return
        if i == len(atoms):
            return
        text = ""
        for j in range(i, len(atoms)):
            text += atoms[j]
            if gaps[j] == "may" or gaps[j] == "must":
                if _clean(text):
                    v = _value(text)
                    if k in totals:
                        if abs(v - sum(values[totals[k]:k])) < 1e-9:
                            values.append(v)
                            dfs(j + 1)
                            values.pop()
                    elif k in block_of and not _fits(block_of[k], k, n, len(text), sum(values[block_of[k][0]:k]) + v,
                                                     left[j + 1]):
                        pass
                    else:
                        values.append(v)
                        dfs(j + 1)
                        values.pop()
                    if len(out) >= MAX_SOLUTIONS:
                        return
            if gaps[j] == "must":
                break
            if k in totals and len(text) - text.count(",") > len(_fmt(sum(values[totals[k]:k]))):
                break

    dfs(0)
    return out


def _fits(block: tuple[int, int], k: int, n: int, part_len: int, partial: float, rest: int) -> bool:
    """Can a part of `part_len` chars at cell k still lead to a valid block? The block's total
    is at least as long as any part and as the partial sum, and every later cell needs a char."""
    f, t = block
    room_for_total = rest - (t - k - 1) - (n - 1 - t)
    return room_for_total >= max(part_len, len(_fmt(partial)))


def agreed(solutions: list[list[float]], n: int) -> list[Optional[float]]:
    """Cell by cell: the value every solution gives, or None where they differ (or none exist)."""
    if not solutions:
        return [None] * n
    return [s0 if all(s[i] == s0 for s in solutions) else None for i, s0 in enumerate(solutions[0])]


_GROUPED = re.compile(r"-?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")


def _value(text: str) -> float:
    return float(text.replace(",", ""))


def _clean(text: str) -> bool:
    """A printable cell: no leading zero ("0" itself is fine), at most one decimal point, a
    minus sign only at the start and never on zero, thousands separators every three digits."""
    if "," in text:
        return _GROUPED.fullmatch(text) is not None
    if text.startswith("-"):
        text = text[1:]
        if not text or text.strip("0.") == "" or "-" in text:
            return False
    if "-" in text:
        return False
    if "." in text:
        whole = text.split(".")[0]
        return text.count(".") == 1 and (whole == "0" or not whole.startswith("0"))
    return text == "0" or not text.startswith("0")


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(v)


TABLE3_BLOCKS = [(0, 6)]
TABLE4_BLOCKS = [(0, 4), (5, 9), (10, 14)]
