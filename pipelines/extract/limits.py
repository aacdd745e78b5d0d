"""Limits that keep one bad document from taking the pipeline down.

A document larger than MAX_DOCUMENT_BYTES, a zip that would inflate beyond MAX_UNZIPPED_BYTES
(or by more than MAX_ZIP_RATIO), a PDF beyond MAX_PDF_PAGES or any reader running past
SECONDS_PER_DOCUMENT ends as an ExtractError with a clear rule, never as a crash or a hang.
External tools run in their own process group, killed as a whole when their time is up.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import zipfile
from io import BytesIO
from typing import Optional

from pipelines import rules
from pipelines.extract import ExtractError

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024  # an annual report's docx/xlsx inflates to a few MB
MAX_ZIP_RATIO = 200  # deflate rarely exceeds ~20:1 on XML; bombs run to 1000:1 and beyond
MAX_ZIP_MEMBERS = 10_000
MAX_PDF_PAGES = 300  # annual reports run to 5-40 pages
SECONDS_PER_DOCUMENT = 120.0


def _error(message: str, rule: rules.Rule, status: str = "failed") -> Exception:
    return ExtractError(message, rule, status)


def check_size(data: bytes) -> None:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _error(f"the document is {len(data) / 2**20:.1f} MB, over the "
                     f"{MAX_DOCUMENT_BYTES // 2**20} MB limit", rules.E_TOO_LARGE)


def open_zip(data: bytes) -> zipfile.ZipFile:
    """The zip container, after checking it is one and that it cannot inflate out of bounds.

    The sizes in the central directory can lie, so members are also read through
    `read_member`, which stops at the declared size.
    """
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise _error(f"a corrupt zip container: {e}", rules.E_ZIP_CORRUPT) from e
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _error(f"the zip holds {len(infos)} members, over the {MAX_ZIP_MEMBERS} limit", rules.E_ZIP_BOMB)
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNZIPPED_BYTES or (total > 10 * 2**20 and total / packed > MAX_ZIP_RATIO):
        raise _error(f"the zip would inflate to {total / 2**20:.0f} MB from {packed / 2**20:.1f} MB "
                     "(a zip bomb or not a report)", rules.E_ZIP_BOMB)
    if any(i.flag_bits & 0x1 for i in infos):
        raise _error("an encrypted (password-protected) zip container", rules.E_ENCRYPTED, status="unsupported")
    return zf


def read_member(zf: zipfile.ZipFile, name: str) -> bytes:
    """One member's bytes, read with a hard cap whatever its header says."""
    info = zf.getinfo(name)
    cap = min(info.file_size, MAX_UNZIPPED_BYTES)
    try:
        with zf.open(info) as f:
            data = f.read(cap + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise _error(f"zip member {name} cannot be read: {e}", rules.E_ZIP_CORRUPT) from e
    if len(data) > cap:
        raise _error(f"zip member {name} inflates beyond its declared size", rules.E_ZIP_BOMB)
    return data


class Deadline:
    """The time left for one document; readers check it between pages or sheets."""

    def __init__(self, seconds: float = SECONDS_PER_DOCUMENT):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self, what: str) -> None:
        if self.left() <= 0:
            raise _error(f"reading took longer than {self.seconds:.0f} s ({what})", rules.E_TIMEOUT)


def require_tool(name: str, purpose: str) -> str:
    """The tool's path, or an `unsupported` error naming the missing tool."""
    path = shutil.which(name)
    if path is None:
        raise _error(f"{purpose} needs {name}, which is not installed (scripts/setup installs it)",
                     rules.get(f"E-tool-missing-{name}"), status="unsupported")
    return path


def run_tool(cmd: list[str], timeout: float, env: Optional[dict[str, str]] = None) -> subprocess.CompletedProcess:
    """Run an external tool with a time limit; on timeout its whole process group is killed
    (soffice forks soffice.bin, which a plain kill of the child would leave running)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=max(1.0, timeout))
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise _error(f"{os.path.basename(cmd[0])} took longer than {timeout:.0f} s", rules.E_TIMEOUT)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
