"""Export chapters as assignments: ``python -m homework [CHAPTER ...]`` (default: all).

Writes, for each chapter, under homework/out/<chapter>/:
  student/<chapter>.ipynb     the notebook to hand out (solutions removed, checks runnable)
  autograder/<chapter>.ipynb  the solution notebook
  autograder/*.zip            the otter autograder bundle (grade with ``otter grade`` / ``otter run``)
"""
import argparse
from pathlib import Path

from .assign import OUT, chapters, export


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m homework", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapter", nargs="*", help="e.g. 03_gradient_descent (default: all)")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: %(default)s)")
    parser.add_argument("--run-tests", action="store_true",
                        help="let otter execute the solution notebook and check it passes")
    args = parser.parse_args(argv)
    for chapter in args.chapter or chapters():
        paths = export(chapter.removesuffix(".ipynb").split("/")[-1], args.out, args.run_tests)
        print(f"{chapter}:")
        for kind, path in paths.items():
            print(f"  {kind:10s} {path}")


if __name__ == "__main__":
    main()
