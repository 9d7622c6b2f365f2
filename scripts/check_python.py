"""Exit with a one-line message unless every given Python is the supported version.

Usage: python scripts/check_python.py 3.11 [other-python ...]
Checks the interpreter running it and, e.g., an existing virtual environment's python.
Written for any Python 3 (it runs before the environment exists).
"""
import subprocess
import sys


def version_of(python):
    if python is None:
        return "%d.%d" % sys.version_info[:2], sys.executable
    out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                         capture_output=True, text=True)
    return out.stdout.strip() or "unknown", python


def main(argv):
    supported, others = argv[1], argv[2:]
    for python in [None] + others:
        found, where = version_of(python)
        if found != supported:
            hint = ("delete .venv and run make again" if python else
                    "install it and run e.g. `make PYTHON=python%s`" % supported)
            sys.exit("error: this book needs Python %s (its pinned requirements are made for it); "
                     "found Python %s at %s: %s." % (supported, found, where, hint))


if __name__ == "__main__":
    main(sys.argv)
