"""The HTML/JSON contract between the static twin (:mod:`optlib.interactive.twin`, which
writes it) and ``_static/optlib-live.js`` (which reads it in the reader's browser).

Every name the two sides share is here; ``tests/test_interactive.py`` checks that the
script uses each of them, and the browser test (``tests/test_site.py``) finds the
figures on the built pages with them.

One live figure on a page::

    <div class="optlib-live">
      <div class="optlib-live-controls">
        <label class="optlib-live-slider"><span class="optlib-live-name">η</span>
          <input type="range" min="0" max="n-1" step="1" value="i"><output>label</output>
        </label> ...
      </div>
      <div class="optlib-live-figure">
        [<img class="optlib-live-bg">]  <img class="optlib-live-frame [optlib-live-overlay]">
      </div>
      <script type="application/json" class="optlib-live-data">{DATA}</script>
    </div>

DATA is ``{"mime": ..., "frames": [base64, ...], "sliders": [{"name": ..., "labels":
[...]}, ...]}``.  The frame of slider indices (i_1, ..., i_k) is
:func:`frame_index` (row-major: the last slider varies fastest).  The script marks a
figure it has set up with ``data-optlib-ready="1"`` and the frame it shows with
``data-optlib-frame``.
"""
from __future__ import annotations

from typing import Sequence

ROOT = "optlib-live"
CONTROLS = "optlib-live-controls"
SLIDER = "optlib-live-slider"
NAME = "optlib-live-name"
FIGURE = "optlib-live-figure"
BACKGROUND = "optlib-live-bg"
FRAME = "optlib-live-frame"
OVERLAY = "optlib-live-overlay"
DATA = "optlib-live-data"
READY_ATTR = "data-optlib-ready"
FRAME_ATTR = "data-optlib-frame"
JSON_KEYS = ("mime", "frames", "sliders", "name", "labels")

SCRIPT_NAMES = (ROOT, CONTROLS, FRAME, DATA, READY_ATTR, FRAME_ATTR, "mime", "frames",
                "sliders", "labels")
"""The names the script must use (the others are for CSS and the page's structure)."""


def frame_index(indices: Sequence[int], sizes: Sequence[int]) -> int:
    """Index into ``frames`` of the slider positions ``indices`` (row-major)."""
    k = 0
    for i, n in zip(indices, sizes):
        k = k * n + i
    return k
