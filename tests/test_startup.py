"""Starting the server: what a newcomer sees when something is in the way."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}


def test_a_taken_port_gives_one_line_naming_the_setting(index_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "search_app", "--index", str(index_dir),
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=ENV, capture_output=True, text=True, encoding="utf-8",
            timeout=60,
        )  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "Serving" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(port) in lines[0] and "in use" in lines[0] and "PORT" in lines[0]
