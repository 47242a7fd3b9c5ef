"""Conventions CI enforces: lint (ruff, configured in pyproject.toml) and no timing assertions.

Timings belong in benchmarks/, with ratios against peers measured in the same run; a timed
unit test fails on a busy machine and proves nothing on a quiet one.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it is in the test extra)")
    run = subprocess.run([ruff, "check", "siting", "tests", "benchmarks", "scripts"], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def _timing_asserts(tree: ast.AST) -> list[int]:
    """Lines of ``assert`` statements comparing a name that says it is a duration."""
    words = ("seconds", "elapsed", "duration", "wall", "runtime")
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
            names = [n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node.test)
                     if isinstance(n, (ast.Name, ast.Attribute))]
            ops = (ast.Lt, ast.LtE)
            if any(any(w in name.lower() for w in words) for name in names) and \
                    any(isinstance(op, ops) for op in node.test.ops):
                lines.append(node.lineno)
    return lines


def test_no_timing_assertions_in_tests():
    found = {p.name: lines for p in sorted((ROOT / "tests").glob("test_*.py"))
             if (lines := _timing_asserts(ast.parse(p.read_text(encoding="utf-8"))))}
    assert not found, f"timing assertions (move them to benchmarks/): {found}"


def test_the_timing_check_would_catch_one():
    tree = ast.parse("def test_x():\n    seconds = 3\n    assert seconds < 30\n")
    assert _timing_asserts(tree) == [3]
