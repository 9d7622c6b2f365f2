"""LiveFigure: the figure, its slider values, and the rendering of one setting.

The figure is a plain matplotlib ``Figure`` on the Agg canvas (never a pyplot figure, so
no stray static image appears).  ``setup`` is drawn once and cached as a bitmap; for each
setting only the artists that ``draw`` added are drawn over it and then removed again.

State is kept consistent: ``fig.values`` holds grid values only (requested values snap
to the grid), and a setting becomes current only after it was drawn successfully; if
``draw`` raises, the figure keeps its previous values and image and the error is
re-raised.
"""
from __future__ import annotations

import io
import time
import warnings
from typing import Any, Callable, Dict, List, Optional

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..plot import STYLE
from . import twin, widget
from .slider import Slider, fmt

__all__ = ["LiveFigure", "MAX_SLIDERS", "DPI", "encode"]

MAX_SLIDERS = 2
DPI = 100
_TITLE_ATTRS = ("title", "_left_title", "_right_title")


def encode(rgba: np.ndarray, fmt: str = "png", colors: int = 0) -> bytes:
    """Encode an (H, W, 4) uint8 array as PNG (fast) or as lossless WebP of a palette
    image with ``colors`` colours (tiny for the site's frames; no visible loss)."""
    im = Image.fromarray(rgba, "RGBA")
    buf = io.BytesIO()
    if fmt == "png":           # 256-colour palette: 3x smaller and faster than RGBA PNG
        im = im.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
        im.save(buf, format="PNG", compress_level=1)
    else:
        if colors:
            im = im.quantize(colors=colors, method=Image.Quantize.FASTOCTREE)
        im.save(buf, format="WEBP", lossless=True, quality=25, method=2)
    return buf.getvalue()


class LiveFigure:
    """A figure redrawn for each setting of its sliders (see :func:`optlib.interactive.live`)."""

    def __init__(self, draw: Callable, setup: Optional[Callable] = None, ncols: int = 1,
                 nrows: int = 1, size=(4.8, 3.4), **sliders: Slider):
        if not callable(draw):
            raise TypeError(f"live() needs a draw function, got {draw!r}")
        if setup is not None and not callable(setup):
            raise TypeError(f"setup must be a function or None, got {setup!r}")
        if not sliders:
            raise ValueError("live() needs at least one Slider keyword, e.g. lr=Slider(0.01, 1)")
        if len(sliders) > MAX_SLIDERS:
            raise ValueError(f"live() takes at most {MAX_SLIDERS} sliders, got {len(sliders)}")
        for name, s in sliders.items():
            if not isinstance(s, Slider):
                raise TypeError(f"{name}= must be a Slider, got {type(s).__name__}")
            if s.label is None:
                s.label = name
        self._draw_fn, self._setup_fn = draw, setup
        self.sliders: Dict[str, Slider] = dict(sliders)
        self._values = {k: s.value for k, s in sliders.items()}
        self._png_cache: Optional[tuple] = None     # (values, png bytes) of the last render
        self.timings: List[float] = []      # seconds per kernel update (recompute + redraw)
        self._frames: Optional[list] = None
        self._widget = None
        with mpl.rc_context(STYLE):
            self.fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), dpi=DPI,
                              layout="constrained")
            FigureCanvasAgg(self.fig)
            self.axes = list(self.fig.subplots(nrows, ncols, squeeze=False).ravel())
            self._bg = None
            if setup is not None:
                setup(self.axes)
                self._limits = [self._get_limits(ax) for ax in self.axes]
                for ax in self.axes:
                    ax.set_autoscale_on(False)
                # lay the figure out once with the initial dynamic content, then freeze it
                added, texts = self._call_draw(self._values)
                self.fig.canvas.draw()
                self.fig.set_layout_engine("none")
                self._undo(added, texts)
                self.fig.canvas.draw()
                self._bg = self.fig.canvas.copy_from_bbox(self.fig.bbox)
                self._bg_rgba = np.asarray(self.fig.canvas.buffer_rgba()).copy()

    # ------------------------------------------------------------------ state
    @property
    def values(self) -> Dict[str, Any]:
        """The current slider values, ``{name: value}`` (always grid values)."""
        return dict(self._values)

    def index(self, name: str) -> int:
        """The grid index of slider ``name``'s current value."""
        return self.sliders[name].grid.index(self._values[name])

    def _snapped(self, values: dict) -> dict:
        """The current values with ``values`` applied, each snapped to its grid."""
        for k in values:
            if k not in self.sliders:
                raise KeyError(f"live figure has no slider {k!r}; sliders: {list(self.sliders)}")
        new = dict(self._values)
        for k, v in values.items():
            new[k] = self.sliders[k].snap(v, k)[1]
        return new

    def update(self, **values) -> None:
        """Set slider values and redraw.  Each value snaps to its slider's grid (a value
        outside the range is clamped, one between grid points goes to the nearest; both
        with a warning).  If ``draw`` raises, nothing changes and the error is re-raised."""
        self._set(self._snapped(values))

    def _set(self, new: dict) -> None:
        """Make ``new`` (grid values) current: draw it first, commit only on success."""
        t0 = time.perf_counter()
        png = self._png(new)                      # raises: the old state stays
        self._values = new
        if self._widget is not None:
            widget.show(self, png)
            self.timings.append(time.perf_counter() - t0)

    # ------------------------------------------------------------------ drawing
    @staticmethod
    def _get_limits(ax):
        lims = [ax.get_xlim(), ax.get_ylim()]
        if hasattr(ax, "get_zlim"):
            lims.append(ax.get_zlim())
        return lims

    def _children(self):
        out = set(map(id, self.fig.get_children()))
        for ax in self.axes:
            out |= set(map(id, ax.get_children()))
        return out

    def _call_draw(self, values):
        """Call ``draw``; return the artists it added and the texts it changed.  If ``draw``
        raises, whatever it added or changed is undone before the error propagates."""
        before = self._children()
        titles = [(t, t.get_text()) for ax in self.axes
                  for t in [getattr(ax, a) for a in _TITLE_ATTRS] +
                  [ax.xaxis.label, ax.yaxis.label]]

        def changes():
            added = [a for a in self.fig.get_children() if id(a) not in before]
            for ax in self.axes:
                added += [a for a in ax.get_children() if id(a) not in before]
            return added, [(t, old) for t, old in titles if t.get_text() != old]

        try:
            self._draw_fn(self.axes, **values)
        except BaseException:
            self._undo(*changes())
            self._restore_limits(warn=False)
            raise
        added, changed = changes()
        self._restore_limits(warn=True)
        return added, changed

    def _restore_limits(self, warn):
        for ax, lims in zip(self.axes, self._limits):
            if self._get_limits(ax) != lims:
                if warn:
                    warnings.warn("live figure: draw() changed the axis limits; set limits in "
                                  "setup() (they are frozen after it). Restoring them.",
                                  UserWarning, stacklevel=4)
                ax.set_xlim(lims[0])
                ax.set_ylim(lims[1])
                if len(lims) > 2:
                    ax.set_zlim(lims[2])

    @staticmethod
    def _undo(added, changed):
        for a in added:
            try:
                a.remove()
            except (NotImplementedError, ValueError):
                a.set_visible(False)
        for t, old in changed:
            t.set_text(old)

    def render(self, values, overlay: bool = False) -> np.ndarray:
        """RGBA pixels for ``values`` (grid values): the whole figure, or (``overlay``)
        only what draw added."""
        with mpl.rc_context(STYLE):
            if self._bg is None:                      # no setup: redraw everything
                for ax in self.axes:
                    ax.cla()
                self._draw_fn(self.axes, **values)
                self.fig.canvas.draw()
                return np.asarray(self.fig.canvas.buffer_rgba()).copy()
            added, changed = self._call_draw(values)
            try:
                canvas = self.fig.canvas
                renderer = canvas.get_renderer()
                if overlay:
                    renderer.clear()
                else:
                    canvas.restore_region(self._bg)
                artists = sorted(added + [t for t, _ in changed], key=lambda a: a.get_zorder())
                for a in artists:
                    if a.get_visible():
                        a.draw(renderer)
                return np.asarray(canvas.buffer_rgba()).copy()
            finally:
                self._undo(added, changed)

    def _png(self, values: dict) -> bytes:
        if self._png_cache is not None and self._png_cache[0] == values:
            return self._png_cache[1]
        png = encode(self.render(values), "png")
        self._png_cache = (dict(values), png)
        return png

    def png(self, **values) -> bytes:
        """The figure at ``values`` (default: the current values) as PNG bytes; values
        snap to the grid as in :meth:`update`, the current values do not change."""
        return self._png(self._snapped(values))

    # ------------------------------------------------------------------ static twin
    def grid_points(self):
        """Every setting of the slider grid, row-major (the last slider varies fastest)."""
        return twin.grid_points(self)

    def html(self) -> str:
        """The self-contained HTML twin: the figure precomputed over the whole slider grid,
        its sliders at the current values."""
        return twin.html(self)

    # ------------------------------------------------------------------ kernel widget
    def widget(self):
        """The ipywidgets view (sliders + image), created on first use."""
        return widget.build(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": repr(self), "text/html": self.html()}
        bundle.update(widget.mime(self))
        return bundle

    def __repr__(self):
        vals = ", ".join(f"{k}={fmt(v)}" for k, v in self._values.items())
        return f"<live figure: {vals}>"
