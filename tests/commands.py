"""Running the `contest` command in a child process, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "contest", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120, check=False)
