#!/usr/bin/python3
"""Runs a PyTorch program as it is with torch, then with only its import lines changed to
torchlite's, and fails unless both print the same (the diff is shown).

usage: run_program.py PROGRAM.py BUILD_PYTHON_DIR
Exits 77 (CTest's skip) when PyTorch is not installed.
"""
import difflib
import os
import re
import subprocess
import sys
import tempfile

PYTHON = "/usr/bin/python3"


def to_torchlite(source):
    """`import torch` -> `import torchlite as torch`, `from torch(.x) import` -> torchlite's."""
    source = re.sub(r"^import torch$", "import torchlite as torch", source, flags=re.M)
    return re.sub(r"^from torch(\.[\w.]+)? import", r"from torchlite\1 import", source, flags=re.M)


def run(path, env):
    proc = subprocess.run([PYTHON, path], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        sys.exit(f"{path} failed with exit code {proc.returncode}")
    return proc.stdout


def main():
    program, build_python = sys.argv[1], sys.argv[2]
    if subprocess.run([PYTHON, "-c", "import torch"], capture_output=True).returncode != 0:
        print("PyTorch is not installed for /usr/bin/python3: skipped")
        sys.exit(77)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    expected = run(program, env)
    with open(program) as f:
        converted = to_torchlite(f.read())
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(converted)
    try:
        env["PYTHONPATH"] = build_python
        got = run(f.name, env)
    finally:
        os.unlink(f.name)
    if got != expected:
        sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), got.splitlines(True),
                                                   "torch", "torchlite"))
        sys.exit(f"{os.path.basename(program)}: torchlite prints differently from PyTorch")
    print(f"{os.path.basename(program)}: {len(expected.splitlines())} lines identical")


if __name__ == "__main__":
    main()
