"""The site shows solution code without otter-grader's markers (_ext/otter_markers.py).

Unit tests of the stripping (against every solution cell of every chapter, and against
otter's own solution notebook) and of the Sphinx transform on a docutils tree.  The
built pages are checked by tests/test_site.py::test_no_otter_marker_on_page.
"""
import sys
from pathlib import Path

import nbformat
import pytest
from docutils import nodes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import otter_markers  # noqa: E402
from otter_markers import MARKER, strip_doctree, strip_markers  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def test_line_markers():
    src = ("curv = f.hess(minima)\n"
           "lr_max = 2 / curv[0]  # SOLUTION\n"
           "x = 1 # SOLUTION NO PROMPT\n"
           "print(lr_max)")
    assert strip_markers(src) == "curv = f.hess(minima)\nlr_max = 2 / curv[0]\nx = 1\nprint(lr_max)"


def test_block_markers_keep_the_code_between_them():
    src = ("# BEGIN SOLUTION\n"
           "a = 1\n"
           "    # END SOLUTION\n"
           "# BEGIN SOLUTION NO PROMPT\n"
           "b = 2\n"
           "# END SOLUTION\n"
           "print(a + b)")
    assert strip_markers(src) == "a = 1\nb = 2\nprint(a + b)"


def test_prompt_and_ignore_blocks_are_dropped():
    src = ('""" # BEGIN PROMPT\n'
           "lr = ...\n"
           '""" # END PROMPT\n'
           "lr = 0.1  # SOLUTION\n"
           "debug = True  # IGNORE\n"
           "# BEGIN IGNORE\n"
           "print('only in the master')\n"
           "# END IGNORE\n"
           "run(lr)")
    assert strip_markers(src) == "lr = 0.1\nrun(lr)"


def test_ordinary_code_is_unchanged():
    src = "# the solution of the exercise\nx = 'SOLUTION'  # a string, not a marker\n"
    assert strip_markers(src) == src


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_cell_is_clean_after_stripping(path):
    """No marker survives in any code cell of any chapter (test cells excluded: they are
    hidden from the site), and a cell without markers is left exactly as it is."""
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or "remove-cell" in cell.metadata.get("tags", []):
            continue
        clean = strip_markers(cell.source)
        assert not MARKER.search(clean), clean
        if not MARKER.search(cell.source):
            assert clean == cell.source


def _cell(source):
    """A doctree shaped like myst-nb's: container.cell > container.cell_input > literal_block."""
    doc = nodes.document(None, None)
    cell = nodes.container(classes=["cell"])
    inp = nodes.container(classes=["cell_input"])
    inp += nodes.literal_block(source, source, language="ipython3")
    cell += inp
    doc += cell
    doc += nodes.literal_block("# BEGIN SOLUTION\n", "# BEGIN SOLUTION\n")  # not a cell
    return doc


def test_transform_rewrites_cell_sources_only():
    doc = _cell("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\ny = x  # SOLUTION")
    assert strip_doctree(doc) == 1
    blocks = list(doc.findall(nodes.literal_block))
    assert blocks[0].astext() == "x = 1\ny = x"
    assert blocks[1].astext() == "# BEGIN SOLUTION\n"   # a literal block outside a cell


def test_extension_registers_on_doctree_read():
    events = []

    class App:
        def connect(self, name, fn):
            events.append(name)

    meta = otter_markers.setup(App())
    assert events == ["doctree-read"] and meta["parallel_read_safe"]
