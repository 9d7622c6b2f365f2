"""Live figures: one call gives ipywidgets sliders in a kernel and a working HTML twin on the site.

Usage in a chapter (the last expression of a cell)::

    from optlib.interactive import live, Slider

    def setup(axes):                      # optional, called once: the static background
        optlib.plot.contour(axes[0], obj)
    def draw(axes, lr, momentum):         # called per slider setting: ADD artists only
        optlib.plot.path(axes[0], optlib.trajectory(optlib.sgd(lr, momentum=momentum),
                                                    obj, (-5, -2), 30))

    live(draw, setup=setup, lr=Slider(0.01, 1.0, value=0.4, label="η"),
         momentum=Slider(0.0, 0.95, value=0.5, steps=20, label="β"))

How it works.  ``setup`` is drawn once and cached as a bitmap; for each setting only the
artists that ``draw`` added are drawn over it and then removed again, which keeps one
response (recompute + redraw + PNG) far below 50 ms for the book's 2-D figures.

* In a Jupyter kernel the displayed object is an ipywidgets box (sliders over the grid +
  an ``Image`` updated in place: no flicker, no stacked figures).
* Its mime bundle also carries ``text/html``: the same figure precomputed over the whole
  slider grid (the background once, plus one small transparent overlay per grid point)
  with ``<input type=range>`` sliders.  The shared script ``_static/optlib-live.js``
  swaps the overlays, so the built book needs no kernel and no network.  myst-nb picks
  ``text/html`` for the html builder (``nb_mime_priority_overrides`` in ``_config.yml``).

``fig.update(lr=0.2)`` sets values programmatically and ``fig.values`` returns the
current ones.  Values snap to the slider grid (out of range: clamped; between grid
points: the nearest; both with a warning), so the image, the slider labels and
``fig.values`` always agree; if ``draw`` raises, the figure keeps its previous state.

Modules: :mod:`~optlib.interactive.slider` (the grid), :mod:`~optlib.interactive.figure`
(state and rendering), :mod:`~optlib.interactive.twin` (the static HTML),
:mod:`~optlib.interactive.contract` (the HTML/JSON names shared with the script),
:mod:`~optlib.interactive.widget` (ipywidgets glue).  The response-time benchmark is
``python -m benchmarks.interactive``.
"""
from __future__ import annotations

from typing import Callable, Optional

from .figure import MAX_SLIDERS, LiveFigure
from .slider import MAX_STEPS, Slider

__all__ = ["Slider", "LiveFigure", "live", "MAX_SLIDERS", "MAX_STEPS"]


def live(draw: Callable, setup: Optional[Callable] = None, ncols: int = 1, nrows: int = 1,
         size=(4.8, 3.4), **sliders: Slider) -> LiveFigure:
    """A figure with sliders: ipywidgets in a kernel, a precomputed HTML twin on the site.

    ``setup(axes)`` (optional) draws the static content once; axis limits are frozen after
    it.  ``draw(axes, **values)`` adds the artists of one slider setting (it may also set
    a title).  Without ``setup`` the whole figure is redrawn for each setting.
    ``axes`` is a flat list of ``nrows * ncols`` matplotlib Axes, each ``size`` inches.
    """
    return LiveFigure(draw, setup=setup, ncols=ncols, nrows=nrows, size=size, **sliders)
