"""Every chapter exported as an otter-grader assignment: no solution leaks, the solution
notebook gets full marks, the student notebook runs and fails its checks readably."""
import re

import pytest

from homework import assign

pytestmark = pytest.mark.homework

CHAPTERS = sorted(p.stem for p in assign.CHAPTERS.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module", params=CHAPTERS)
def exported(request, tmp_path_factory):
    chapter = request.param
    master = assign.read(assign.CHAPTERS / f"{chapter}.ipynb")
    out = tmp_path_factory.mktemp(f"hw-{chapter}")
    return chapter, master, assign.export(chapter, out), out


def _student_text(nb):
    return "\n".join(cell.source for cell in nb.cells)


def test_every_chapter_has_autograded_and_written_exercises(exported):
    _, master, _, _ = exported
    qs = assign.questions(master)
    assert any(not q["manual"] for q in qs), "no auto-graded coding exercise"
    assert any(q["manual"] for q in qs), "no conceptual (written) exercise"


def test_solutions_live_only_in_solution_blocks(exported):
    """A solution dropdown or a solution marker outside an otter SOLUTION block would
    reach the student notebook silently; forbid it in the master notebook."""
    _, master, _, _ = exported
    for cell, stack in assign.blocks(master):
        if "solution" in stack:
            continue
        if cell.cell_type == "markdown":
            assert not re.search(r"\{solution(-start|-end)?\}", cell.source), cell.source[:200]
        if cell.cell_type == "code":
            assert "SOLUTION" not in cell.source, cell.source[:200]


def test_student_notebook_has_no_solution(exported):
    chapter, master, paths, _ = exported
    student = assign.read(paths["student"])
    text = _student_text(student)
    fragments = assign.solution_fragments(master)
    assert fragments, f"{chapter}: found no solution text to search for"
    leaked = [f for f in fragments if f in text]
    assert not leaked, f"{chapter}: solution text in the student notebook: {leaked[:5]}"
    assert "SOLUTION" not in text
    assert not re.search(r"\{solution", text)
    for cell in student.cells:
        assert not cell.get("outputs"), "student notebook must carry no outputs"


def test_student_notebook_keeps_optlib_and_checks(exported):
    chapter, master, paths, _ = exported
    student = assign.read(paths["student"])
    text = _student_text(student)
    assert "import optlib" in text
    assert (paths["student"].parent / "optlib" / "__init__.py").exists()
    for q in assign.questions(master):
        if not q["manual"]:
            assert f'grader.check("{q["name"]}")' in text


def test_solution_notebook_gets_full_marks(exported):
    chapter, master, paths, out = exported
    scores = assign.grade(paths["autograder"], paths["solution"], out / "grade-solution")
    auto = [q["name"] for q in assign.questions(master) if not q["manual"]]
    for name in auto:
        score, max_score, output = scores[name]
        assert score == max_score, f"{chapter} {name}: {score}/{max_score}\n{output}"


def test_student_notebook_fails_where_solution_missing(exported):
    chapter, master, paths, out = exported
    scores = assign.grade(paths["autograder"], paths["student"], out / "grade-student")
    for q in assign.questions(master):
        if q["manual"]:
            continue
        score, max_score, output = scores[q["name"]]
        assert score < max_score, f"{chapter} {q['name']} passes without a solution"
        assert "failed" in output.lower(), output
