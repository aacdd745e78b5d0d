"""What several end-to-end tests share: the two-source registry of the demo portal, and stopping a
process started in its own group (a server, a daemon, a worker and the children it forked)."""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

# the demo portal's two columns ({demo} is replaced by the served portal's URL when the registry is read)
TWO_DEMO_SOURCES = (
    "source_id,name,start_urls,adcode,admin_level,reachable_here,url_origin,hints,notes\n"
    "demo_gbk,demo GBK column,{demo}/gbk/zfxxgknb/index.html,,demo,true,bundled,,\n"
    "demo_utf8,demo UTF-8 column,{demo}/utf8/xxgknb/index.html,,demo,true,bundled,,\n")


def write_two_demo_sources(path: Path) -> Path:
    path.write_text(TWO_DEMO_SOURCES, encoding="utf-8")
    return path


def stop_group(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM to the process's own group, then SIGKILL to what outlives it (dagster dev may)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)
