# Types of the compiled module html_tree.pyx (mypy does not read Cython).
from typing import Optional

from pipelines.cells import Row

MAX_SPANNED_CELLS: int

def body_rows(body: object) -> list[Row]: ...
def page_heads(root: object) -> tuple[list[tuple[Optional[str], Optional[str]]], Optional[str]]: ...
