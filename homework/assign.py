"""A thin wrapper around ``otter assign`` for the book's chapters.

A chapter notebook is an otter "master notebook" (otter-grader's v1 assign format):
its exercises are QUESTION blocks made of raw cells (``# BEGIN QUESTION`` ...
``# END QUESTION``), which the book does not render. This module only

* stages a chapter next to a copy of ``optlib`` and prepends the ``# ASSIGNMENT CONFIG``
  cell (so the config lives in one place, here, and not in seven notebooks), then
* runs ``otter assign``, which writes ``student/`` (solutions removed, checks kept) and
  ``autograder/`` (the solution notebook and the autograder zip).

It also reads a master notebook's solutions so that the tests can prove that none of
them reaches the student notebook.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
OUT = ROOT / "homework" / "out"

CONFIG = """# ASSIGNMENT CONFIG
name: {name}
requirements: requirements.txt
overwrite_requirements: false
files:
  - optlib
export_cell: false
check_all_cell: true
run_tests: false
solutions_pdf: false
strip_solutions_from_all_cells: true
generate: true
"""

_BOUNDARY = re.compile(r"#\s+(begin|end)\s+(question|solution|tests|prompt)\b", re.I)


def chapters() -> list[str]:
    """Names of the chapters that contain at least one otter question."""
    return sorted(p.stem for p in CHAPTERS.glob("[0-9][0-9]_*.ipynb") if questions(read(p)))


def read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def _boundary(cell):
    if cell.cell_type != "raw":
        return None
    m = _BOUNDARY.match(cell.source.lstrip())
    return (m.group(1).lower(), m.group(2).lower()) if m else None


def blocks(nb):
    """Yield ``(cell, stack)`` for every cell, where ``stack`` lists the open blocks."""
    stack: list[str] = []
    for cell in nb.cells:
        b = _boundary(cell)
        if b and b[0] == "begin":
            stack.append(b[1])
            yield cell, tuple(stack)
        elif b:
            if not stack or stack[-1] != b[1]:
                raise ValueError(f"unbalanced '# END {b[1].upper()}' cell: {cell.source[:60]!r}")
            yield cell, tuple(stack)
            stack.pop()
        else:
            yield cell, tuple(stack)
    if stack:
        raise ValueError(f"unclosed block(s): {stack}")


def questions(nb) -> list[dict]:
    """The otter questions of a master notebook: [{"name", "points", "manual"}, ...]."""
    import yaml

    out = []
    for cell in nb.cells:
        if _boundary(cell) == ("begin", "question"):
            conf = yaml.safe_load(cell.source.split("\n", 1)[1]) or {}
            out.append({"name": conf["name"], "points": conf.get("points", 1),
                        "manual": bool(conf.get("manual", False))})
    return out


def solution_fragments(nb, min_len: int = 12) -> list[str]:
    """Every piece of solution text in a master notebook, line by line.

    Code: the lines inside ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` and lines ending in
    ``# SOLUTION``; Markdown: every line of a cell inside a SOLUTION block. Short lines
    (``)``, ``x = 1``) are skipped because they also occur in ordinary text.
    """
    frags = []
    for cell, stack in blocks(nb):
        if "solution" not in stack or _boundary(cell):
            continue
        lines = cell.source.splitlines()
        if cell.cell_type == "markdown":
            frags += [l.strip() for l in lines]
            continue
        inside = False
        for line in lines:
            s = line.strip()
            if re.match(r"#\s*BEGIN SOLUTION", s):
                inside = True
            elif re.match(r"#\s*END SOLUTION", s):
                inside = False
            elif inside:
                frags.append(s)
            elif s.endswith("# SOLUTION"):
                frags.append(s[: -len("# SOLUTION")].strip())
    return [f for f in frags if len(f) >= min_len and not f.startswith("```")]


def stage(chapter: str, where: Path) -> Path:
    """Copy the chapter and optlib into ``where`` and prepend the assignment config."""
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    nb = read(CHAPTERS / f"{chapter}.ipynb")
    nb.cells.insert(0, nbformat.v4.new_raw_cell(CONFIG.format(name=chapter)))
    for cell in nb.cells:  # otter wants no cell ids from newer nbformat minor versions
        cell.pop("id", None)
    nb.nbformat_minor = 4
    master = where / f"{chapter}.ipynb"
    nbformat.write(nb, str(master))
    shutil.copytree(ROOT / "optlib", where / "optlib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "homework" / "requirements.txt", where / "requirements.txt")
    return master


def export(chapter: str, out: Path = OUT, run_tests: bool = False) -> dict:
    """Produce ``out/<chapter>/{student,autograder}`` with ``otter assign``.

    Returns the paths of the student notebook, the solution notebook and the autograder zip.
    """
    if not questions(read(CHAPTERS / f"{chapter}.ipynb")):
        raise ValueError(f"{chapter} has no otter questions to export")
    master = stage(chapter, out / ".stage" / chapter)
    dest = out / chapter
    if dest.exists():
        shutil.rmtree(dest)
    cmd = [sys.executable, "-m", "otter", "assign", str(master), str(dest)]
    if not run_tests:
        cmd.append("--no-run-tests")
    subprocess.run(cmd, check=True, cwd=master.parent, capture_output=True, text=True)
    zips = sorted((dest / "autograder").glob("*.zip"))
    return {"student": dest / "student" / f"{chapter}.ipynb",
            "solution": dest / "autograder" / f"{chapter}.ipynb",
            "autograder": zips[-1]}


def grade(autograder_zip: Path, notebook: Path, workdir: Path) -> dict:
    """Grade ``notebook`` locally with ``otter run``; return {question: (score, max)} and output."""
    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(autograder_zip),
                    "-o", str(workdir), str(notebook)], check=True, capture_output=True,
                   text=True, cwd=notebook.parent)
    results = json.loads((workdir / "results.json").read_text())
    scores = {t["name"]: (t.get("score"), t.get("max_score"), t.get("output", ""))
              for t in results["tests"] if t["name"] != "Public Tests"}
    return scores
