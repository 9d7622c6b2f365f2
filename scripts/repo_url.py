"""The book's repository URL lives in one place: ``repository.url`` in ``_config.yml``.

The launch buttons (Binder, Colab) read it from there. Each notebook also carries it in
its hidden first cell, which installs ``optlib`` where it is missing (e.g. on Colab):
a notebook opened alone cannot read ``_config.yml``, so this script writes the URL into
every notebook and ``tests/test_repository.py`` checks that they all agree.

    python scripts/repo_url.py                    # print the configured URL and check
    python scripts/repo_url.py https://github.com/you/book   # publish under another address
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.yml"
# `%pip install -q "optlib[torch] @ git+<URL>"` in a notebook's install cell
INSTALL = re.compile(r'(%pip install -q "optlib\[torch\] @ git\+)([^"@]+)(")')


def configured() -> str:
    return yaml.safe_load(CONFIG.read_text())["repository"]["url"]


def notebooks() -> list[Path]:
    """The book's notebooks: the front page and every chapter."""
    return [ROOT / "intro.ipynb", *sorted((ROOT / "chapters").glob("*.ipynb"))]


def install_urls(path: Path) -> list[str]:
    """The repository URLs in the install lines of a notebook's code cells."""
    nb = nbformat.read(str(path), as_version=4)
    return [m.group(2) for cell in nb.cells if cell.cell_type == "code"
            for m in INSTALL.finditer(cell.source)]


def set_url(url: str) -> None:
    url = url.rstrip("/")
    text = CONFIG.read_text()
    new, n = re.subn(r"(?m)^(repository:\s*\n\s+url:\s*)\S+", lambda m: m.group(1) + url, text)
    if n != 1:
        sys.exit("error: no `repository: url:` entry in _config.yml")
    CONFIG.write_text(new)
    for path in notebooks():
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.source = INSTALL.sub(lambda m: m.group(1) + url + m.group(3), cell.source)
        nbformat.write(nb, str(path))


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        set_url(argv[1])
    url = configured()
    bad = [f"{p.relative_to(ROOT)}: {install_urls(p) or 'no install cell'}"
           for p in notebooks() if install_urls(p) != [url]]
    print(f"repository URL: {url}")
    for line in bad:
        print(f"  does not match: {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
