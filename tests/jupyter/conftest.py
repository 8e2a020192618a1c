"""Installs the kvalitet kernelspec into a throwaway prefix and points
JUPYTER_PATH at it, before any test starts a kernel.

Run by `cargo test` (tests/it/kernel.rs), which sets:
  KVALITET_BIN        the kvalitet binary under test
  KVALITET_FIXTURE    tests/fixtures/small (hand-made data)
  KVALITET_DEMO_DATA  a generated municipality (Læsø, 2025)
"""
import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BIN = Path(os.environ["KVALITET_BIN"])
FIXTURE = os.environ["KVALITET_FIXTURE"]
DEMO_DATA = os.environ["KVALITET_DEMO_DATA"]

PREFIX = Path(tempfile.mkdtemp(prefix="kvalitet-kernel-test-"))
atexit.register(shutil.rmtree, PREFIX, ignore_errors=True)
subprocess.run([str(BIN), "kernel", "install", "--prefix", str(PREFIX)], check=True, capture_output=True)
os.environ["JUPYTER_PATH"] = str(PREFIX / "share" / "jupyter")
# Keep user-level kernelspecs out of the way.
os.environ["JUPYTER_DATA_DIR"] = str(PREFIX / "user-data")
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
