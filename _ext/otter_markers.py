"""Sphinx glue: the site shows exercise solutions without otter-grader's markers.

A chapter is also an otter "master notebook" (homework/assign.py): its solution code
carries markers that ``otter assign`` reads to build the student notebook, e.g.::

    lr_max = 2 / curvature  # SOLUTION
    # BEGIN SOLUTION
    escape = ...
    # END SOLUTION

On the site the reader sees the solution in its dropdown, and the markers are noise.
This extension rewrites the source of every notebook code cell shown on a page (the
``literal_block`` inside a myst-nb ``cell_input`` container) with :func:`strip_markers`
before the page is written. The notebooks themselves are not touched, so
``python -m homework`` exports the same assignments as before.

``strip_markers`` mirrors what otter assign keeps in its *solution* notebook:

* ``... # SOLUTION`` (also ``# SOLUTION NO PROMPT``, ``# SEED``): the code stays, the
  marker goes;
* ``# BEGIN SOLUTION`` / ``# END SOLUTION`` lines (also ``NO PROMPT``): dropped, the
  code between them stays;
* ``# BEGIN PROMPT`` ... ``# END PROMPT``: the student's prompt, dropped with its content;
* ``... # IGNORE`` lines and ``# BEGIN IGNORE`` ... ``# END IGNORE`` blocks: dropped
  (otter drops them from every notebook it writes).
"""
from __future__ import annotations

import re

from docutils import nodes

_SUFFIX = re.compile(r"\s*#\s*(SOLUTION(\s+NO\s+PROMPT)?|SEED)\s*$")
_BLOCK_LINE = re.compile(r"^\s*#\s*(BEGIN|END)\s+SOLUTION(\s+NO\s+PROMPT)?\s*$")
_PROMPT_BEGIN = re.compile(r"#\s*BEGIN\s+PROMPT\s*$")
_PROMPT_END = re.compile(r"#\s*END\s+PROMPT\s*$")
_IGNORE_LINE = re.compile(r"#\s*IGNORE\s*$")
_IGNORE_BEGIN = re.compile(r"^\s*#\s*BEGIN\s+IGNORE\s*$")
_IGNORE_END = re.compile(r"#\s*END\s+IGNORE\s*$")

#: What must never reach a page (used by the tests on the built site).
MARKER = re.compile(r"#\s*((BEGIN|END)\s+(SOLUTION|PROMPT|IGNORE|QUESTION|TESTS)\b"
                    r"|SOLUTION\b|IGNORE\s*$|SEED\s*$)", re.M)


def strip_markers(source: str) -> str:
    """The code of a master-notebook cell as the solution shows it, without otter markers."""
    out, skipping = [], None
    for line in source.split("\n"):
        if skipping == "prompt":
            if _PROMPT_END.search(line):
                skipping = None
            continue
        if skipping == "ignore":
            if _IGNORE_END.search(line):
                skipping = None
            continue
        if _PROMPT_BEGIN.search(line):
            skipping = "prompt"
            continue
        if _IGNORE_BEGIN.match(line):
            skipping = "ignore"
            continue
        if _BLOCK_LINE.match(line) or _IGNORE_LINE.search(line):
            continue
        out.append(_SUFFIX.sub("", line))
    return "\n".join(out)


def _is_cell_source(node: nodes.literal_block) -> bool:
    parent = node.parent
    while parent is not None:
        if "cell_input" in parent.get("classes", []):
            return True
        parent = parent.parent
    return False


def strip_doctree(doctree: nodes.Node) -> int:
    """Strip the markers from every notebook code cell in ``doctree``; return how many changed."""
    changed = 0
    for block in list(doctree.findall(nodes.literal_block)):
        if not _is_cell_source(block):
            continue
        text = block.astext()
        clean = strip_markers(text)
        if clean != text:
            block.children = []
            block += nodes.Text(clean)
            block.rawsource = clean
            changed += 1
    return changed


def _on_doctree_read(app, doctree):
    strip_doctree(doctree)


def setup(app):
    app.connect("doctree-read", _on_doctree_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
