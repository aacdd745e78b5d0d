# Types of the compiled module stream_loops.pyx (mypy does not read Cython).
from typing import Any, Sequence

from pipelines.cells import Row

class Tok:
    kind: str
    text: str
    row: int
    col: int
    gap: str
    grid: bool
    def __init__(self, kind: str, text: str, row: int, col: int, gap: str, grid: bool) -> None: ...

class Hit:
    anchor: int
    start: int
    end: int
    exact: bool
    def __init__(self, anchor: int, start: int, end: int, exact: bool) -> None: ...

def stream_parts(rows: Sequence[Row]) -> tuple[list[Tok], str, list[int]]: ...
def exact_hits(text: str, template: Sequence[Any], lo: int, hi: int) -> tuple[list[Hit], list[int]]: ...
def chain(hits: list[Hit], n_anchors: int, max_gap: int = 90, per_skip: int = 70) -> list[Hit]: ...
def values_between(stream: Any, a: int, b: int, first_only: bool = False) -> list[list[Tok]]: ...
