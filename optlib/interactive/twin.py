"""The static twin of a live figure: the figure precomputed over its whole slider grid,
as self-contained HTML for the site (read by ``_static/optlib-live.js``; the names both
sides use are in :mod:`optlib.interactive.contract`)."""
from __future__ import annotations

import base64
import html as _html
import itertools
import json
import warnings

import matplotlib as mpl

from ..plot import STYLE
from . import contract as C

__all__ = ["grid_points", "frames", "html"]


def grid_points(fig):
    """Every setting of the slider grid, row-major (the last slider varies fastest)."""
    names = list(fig.sliders)
    for combo in itertools.product(*(fig.sliders[n].grid for n in names)):
        yield dict(zip(names, combo))


def frames(fig) -> list:
    """The base64 WebP frame of every grid point (computed once per figure)."""
    if fig._frames is None:
        from ..core import DivergenceWarning
        from .figure import encode
        colors = 32 if fig._bg is not None else 128    # overlays have few colours
        out = []
        with mpl.rc_context(STYLE), warnings.catch_warnings():
            # a diverging setting is part of the picture: no stderr noise on the page
            warnings.simplefilter("ignore", DivergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            for vals in grid_points(fig):
                rgba = fig.render(vals, overlay=fig._bg is not None)
                out.append(base64.b64encode(encode(rgba, "webp", colors)).decode())
        fig._frames = out
    return fig._frames


def html(fig) -> str:
    """The HTML twin with the sliders at the figure's current values."""
    from .figure import encode
    names = list(fig.sliders)
    data_frames = frames(fig)
    sliders = [fig.sliders[n] for n in names]
    idx = [fig.index(n) for n in names]
    k0 = C.frame_index(idx, [len(s.grid) for s in sliders])
    w, h = fig.fig.canvas.get_width_height()
    data = {"mime": "image/webp", "frames": data_frames,
            "sliders": [{"name": n, "labels": s.labels()} for n, s in zip(names, sliders)]}
    esc = _html.escape
    controls = "".join(
        f'<label class="{C.SLIDER}"><span class="{C.NAME}">{esc(str(s.label))}</span>'
        f'<input type="range" min="0" max="{len(s.grid) - 1}" step="1" '
        f'value="{i}" aria-label="{esc(str(s.label))}">'
        f'<output>{esc(s.labels()[i])}</output></label>'
        for s, i in zip(sliders, idx))
    alt = "Interactive figure; sliders: " + ", ".join(str(s.label) for s in sliders)
    frame = f"data:image/webp;base64,{data_frames[k0]}"
    if fig._bg is not None:
        bg = base64.b64encode(encode(fig._bg_rgba, "png")).decode()
        layers = (f'<img class="{C.BACKGROUND}" src="data:image/png;base64,{bg}" '
                  f'width="{w}" height="{h}" alt="{esc(alt)}">'
                  f'<img class="{C.FRAME} {C.OVERLAY}" src="{frame}" width="{w}" '
                  f'height="{h}" alt="">')
    else:
        layers = (f'<img class="{C.FRAME}" src="{frame}" width="{w}" height="{h}" '
                  f'alt="{esc(alt)}">')
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return (f'<div class="{C.ROOT}" style="max-width:{w}px">'
            f'<div class="{C.CONTROLS}">{controls}</div>'
            f'<div class="{C.FIGURE}">{layers}</div>'
            f'<script type="application/json" class="{C.DATA}">{payload}</script>'
            f'</div>')
