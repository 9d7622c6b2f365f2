#!/usr/bin/env bash
# Build the book with only the given pages (plus front page and references), warnings as errors.
# Usage: scripts/build_one.sh chapters/03_gradient_descent [more pages...]
# Output goes to _build/one-<name>/ so that several builds can run side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/jupyter-book ] && export PATH="$PWD/.venv/bin:$PATH"
name=$(basename "${1%.*}")
out="_build/one-$name"
mkdir -p "$out"
toc="$out/_toc.yml"
{
  echo "format: jb-book"
  echo "root: intro"
  echo "chapters:"
  for page in "$@"; do echo "  - file: ${page%.*}"; done
  echo "  - file: references"
} > "$toc"
OPTLIB_QUIET=1 jupyter-book build . --toc "$toc" --path-output "$out" --all -W -n --keep-going
echo "built: $out/_build/html"
