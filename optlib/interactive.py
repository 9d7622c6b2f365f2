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

How it works.  The figure is a plain matplotlib ``Figure`` on the Agg canvas (never a
pyplot figure, so no stray static image appears).  ``setup`` is drawn once and cached
as a bitmap; for each setting only the artists that ``draw`` added are drawn over it
and then removed again, which keeps one response (recompute + redraw + PNG) far below
50 ms for the book's 2-D trajectory figures.

* In a Jupyter kernel the displayed object is an ipywidgets box (sliders snapped to the
  slider grid + an ``Image`` updated in place: no flicker, no stacked figures).
* Its mime bundle also carries ``text/html``: the same figure precomputed over the whole
  slider grid (the background once, plus one small transparent overlay per grid point)
  with ``<input type=range>`` sliders.  The shared script ``_static/optlib-live.js``
  swaps the overlays, so the built book needs no kernel and no network.  myst-nb picks
  ``text/html`` for the html builder (``nb_mime_priority_overrides`` in ``_config.yml``).

``fig.update(lr=0.2)`` sets values programmatically (values outside the slider range are
clamped with a warning) and ``fig.values`` returns the current ones.
"""
from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import time
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .plot import STYLE

__all__ = ["Slider", "LiveFigure", "live", "MAX_SLIDERS", "MAX_STEPS"]

MAX_SLIDERS = 2
MAX_STEPS = 40          # values per slider (the contract says "about 30")
DPI = 100
_TITLE_ATTRS = ("title", "_left_title", "_right_title")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _fmt(v) -> str:
    """Short, human label of a slider value."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.number)):
        return str(v)
    return f"{float(v):.3g}"


class Slider:
    """A slider over a fixed grid of values.

    ``Slider(min, max, value=None, steps=25, log=False, label=None)``: ``steps`` evenly
    spaced values from ``min`` to ``max`` (geometrically spaced when ``log=True``).
    ``Slider(values=[...])``: exactly these values (numbers or, e.g., names).
    ``value`` is the initial setting, snapped to the nearest grid value (default: the
    middle of the grid).
    """

    def __init__(self, min=None, max=None, value=None, steps: int = 25, log: bool = False,
                 label: Optional[str] = None, *, values: Optional[Sequence] = None):
        if values is not None:
            if min is not None or max is not None:
                raise ValueError("Slider: give either min and max or values=[...], not both")
            grid = list(values)
            if not grid:
                raise ValueError("Slider(values=[...]) needs at least one value")
            self.numeric = all(isinstance(v, (int, float, np.number)) and
                               not isinstance(v, (bool, np.bool_)) for v in grid)
            self.integer = self.numeric and all(isinstance(v, (int, np.integer)) for v in grid)
            if self.numeric:
                grid = [int(v) if self.integer else float(v) for v in grid]
                if any(b <= a for a, b in zip(grid, grid[1:])):
                    raise ValueError("Slider(values=[...]): numbers must be increasing")
        else:
            if min is None or max is None:
                raise ValueError("Slider needs min and max, or values=[...]")
            ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
                       for v in (min, max)) and not log
            min, max = float(min), float(max)
            if not (math.isfinite(min) and math.isfinite(max)) or max <= min:
                raise ValueError(f"Slider needs finite min < max, got min={min}, max={max}")
            steps = int(steps)
            if steps < 2:
                raise ValueError(f"Slider needs steps >= 2, got {steps}")
            if log:
                if min <= 0:
                    raise ValueError(f"a log Slider needs min > 0, got min={min}")
                grid = np.geomspace(min, max, steps)
            else:
                grid = np.linspace(min, max, steps)
            # round away float noise so labels and values look like what was asked for
            grid = [float(f"{g:.12g}") for g in grid]
            self.numeric = True
            # Slider(0, 10, steps=11) gives the ints 0..10 (e.g. a number of steps)
            self.integer = ints and all(g == round(g) for g in grid)
            if self.integer:
                grid = [int(round(g)) for g in grid]
        if len(grid) > MAX_STEPS:
            raise ValueError(f"Slider has {len(grid)} values; at most {MAX_STEPS} are "
                             "allowed (the site precomputes every grid point)")
        self.grid: List[Any] = grid
        self.log = bool(log)
        self.label = label
        self.index = len(grid) // 2 if value is None else self.nearest(value, warn=True)[0]

    @property
    def min(self):
        return self.grid[0]

    @property
    def max(self):
        return self.grid[-1]

    @property
    def value(self):
        """The initial (grid) value."""
        return self.grid[self.index]

    def labels(self) -> List[str]:
        return [_fmt(v) for v in self.grid]

    def clamp(self, value, name: str = "value"):
        """``value`` limited to [min, max] (with a warning when it was outside)."""
        if not self.numeric:
            if value not in self.grid:
                raise ValueError(f"{name}={value!r} is not one of the slider's values "
                                 f"{self.grid!r}")
            return value
        v = float(value)
        if not math.isfinite(v) or v < self.min or v > self.max:
            c = min(self.max, max(self.min, v)) if not math.isnan(v) else self.value
            warnings.warn(f"live figure: {name}={value!r} is outside the slider range "
                          f"[{_fmt(self.min)}, {_fmt(self.max)}]; clamped to {_fmt(c)}",
                          UserWarning, stacklevel=3)
            v = c
        return int(v) if self.integer and float(v).is_integer() else v

    def nearest(self, value, name: str = "value", warn: bool = True):
        """(index, clamped value) of the grid point nearest to ``value``."""
        if warn:
            value = self.clamp(value, name)
        if not self.numeric:
            return self.grid.index(value), value
        g = np.asarray(self.grid)
        x = np.log(value) if self.log and value > 0 else value
        gx = np.log(g) if self.log else g
        return int(np.argmin(np.abs(gx - x))), value

    def __repr__(self):
        return (f"Slider({_fmt(self.min)}..{_fmt(self.max)}, {len(self.grid)} values, "
                f"value={_fmt(self.value)}, label={self.label!r})")


def _encode(rgba: np.ndarray, fmt: str = "png", colors: int = 0) -> bytes:
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


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


class LiveFigure:
    """A figure redrawn for each setting of its sliders (see :func:`live`)."""

    def __init__(self, draw: Callable, setup: Optional[Callable] = None, ncols: int = 1,
                 nrows: int = 1, size=(4.8, 3.4), **sliders: Slider):
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
        self.timings: List[float] = []      # seconds per kernel update (recompute + redraw)
        self._twin: Optional[str] = None
        self._widget = None
        self._syncing = False
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
        """The current slider values, ``{name: value}``."""
        return dict(self._values)

    def update(self, **values) -> None:
        """Set slider values (clamped to each slider's range with a warning) and redraw."""
        for k in values:
            if k not in self.sliders:
                raise KeyError(f"live figure has no slider {k!r}; sliders: {list(self.sliders)}")
        for k, v in values.items():
            self._values[k] = self.sliders[k].clamp(v, k)
        if self._widget is not None:
            self._sync_widget()
            self._refresh()

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
        """Call ``draw``; return the artists it added and the texts it changed."""
        before = self._children()
        titles = [(t, t.get_text()) for ax in self.axes
                  for t in [getattr(ax, a) for a in _TITLE_ATTRS] +
                  [ax.xaxis.label, ax.yaxis.label]]
        self._draw_fn(self.axes, **values)
        added = [a for a in self.fig.get_children() if id(a) not in before]
        for ax in self.axes:
            added += [a for a in ax.get_children() if id(a) not in before]
        changed = [(t, old) for t, old in titles if t.get_text() != old]
        for ax, lims in zip(self.axes, self._limits):
            if self._get_limits(ax) != lims:
                warnings.warn("live figure: draw() changed the axis limits; set limits in "
                              "setup() (they are frozen after it). Restoring them.",
                              UserWarning, stacklevel=3)
                ax.set_xlim(lims[0])
                ax.set_ylim(lims[1])
                if len(lims) > 2:
                    ax.set_zlim(lims[2])
        return added, changed

    @staticmethod
    def _undo(added, changed):
        for a in added:
            try:
                a.remove()
            except (NotImplementedError, ValueError):
                a.set_visible(False)
        for t, old in changed:
            t.set_text(old)

    def _render(self, values, overlay: bool = False) -> np.ndarray:
        """RGBA pixels for ``values``: the whole figure, or (``overlay``) only what draw added."""
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

    def png(self, **values) -> bytes:
        """The figure at ``values`` (default: the current values) as PNG bytes."""
        vals = {**self._values, **{k: self.sliders[k].clamp(v, k) for k, v in values.items()}}
        return _encode(self._render(vals), "png")

    # ------------------------------------------------------------------ static twin
    def grid_points(self):
        """Every setting of the slider grid, row-major (the last slider varies fastest)."""
        names = list(self.sliders)
        for combo in itertools.product(*(self.sliders[n].grid for n in names)):
            yield dict(zip(names, combo))

    def html(self) -> str:
        """The self-contained HTML twin: the figure precomputed over the whole slider grid."""
        if self._twin is None:
            self._twin = self._build_twin()
        return self._twin

    def _build_twin(self) -> str:
        names = list(self.sliders)
        frames = []
        colors = 32 if self._bg is not None else 128    # overlays have few colours
        from .core import DivergenceWarning
        with mpl.rc_context(STYLE), warnings.catch_warnings():
            # a diverging setting is part of the picture: no stderr noise on the page
            warnings.simplefilter("ignore", DivergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            for vals in self.grid_points():
                rgba = self._render(vals, overlay=self._bg is not None)
                frames.append(base64.b64encode(_encode(rgba, "webp", colors)).decode())
        idx = [self.sliders[n].nearest(self._values[n], warn=False)[0] for n in names]
        k0 = 0
        for n, i in zip(names, idx):
            k0 = k0 * len(self.sliders[n].grid) + i
        w, h = self.fig.canvas.get_width_height()
        data = {"mime": "image/webp", "frames": frames,
                "sliders": [{"name": n, "labels": self.sliders[n].labels()} for n in names]}
        controls = "".join(
            f'<label class="optlib-live-slider"><span class="optlib-live-name">'
            f'{html.escape(str(self.sliders[n].label))}</span>'
            f'<input type="range" min="0" max="{len(self.sliders[n].grid) - 1}" step="1" '
            f'value="{i}" aria-label="{html.escape(str(self.sliders[n].label))}">'
            f'<output>{html.escape(self.sliders[n].labels()[i])}</output></label>'
            for n, i in zip(names, idx))
        alt = "Interactive figure; sliders: " + ", ".join(
            str(self.sliders[n].label) for n in names)
        if self._bg is not None:
            bg = base64.b64encode(_encode(self._bg_rgba, "png")).decode()
            layers = (f'<img class="optlib-live-bg" src="data:image/png;base64,{bg}" '
                      f'width="{w}" height="{h}" alt="{html.escape(alt)}">'
                      f'<img class="optlib-live-frame optlib-live-overlay" '
                      f'src="data:image/webp;base64,{frames[k0]}" width="{w}" height="{h}" alt="">')
        else:
            layers = (f'<img class="optlib-live-frame" src="data:image/webp;base64,{frames[k0]}" '
                      f'width="{w}" height="{h}" alt="{html.escape(alt)}">')
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        return (f'<div class="optlib-live" style="max-width:{w}px">'
                f'<div class="optlib-live-controls">{controls}</div>'
                f'<div class="optlib-live-figure">{layers}</div>'
                f'<script type="application/json" class="optlib-live-data">{payload}</script>'
                f'</div>')

    # ------------------------------------------------------------------ kernel widget
    def widget(self):
        """The ipywidgets view (sliders + image), created on first use."""
        if self._widget is None:
            import ipywidgets as W
            self._sliders_w = {}
            for n, s in self.sliders.items():
                i = s.nearest(self._values[n], warn=False)[0]
                sw = W.SelectionSlider(options=[(lab, j) for j, lab in enumerate(s.labels())],
                                       value=i, description=str(s.label),
                                       continuous_update=self._bg is not None,
                                       style={"description_width": "initial"},
                                       layout=W.Layout(width="min(100%, 420px)"))
                sw.observe(self._on_slider(n), names="value")
                self._sliders_w[n] = sw
            w, _ = self.fig.canvas.get_width_height()
            self._image = W.Image(value=self.png(), format="png",
                                  layout=W.Layout(width=f"{w}px", max_width="100%"))
            self._widget = W.VBox([W.HBox(list(self._sliders_w.values()),
                                          layout=W.Layout(flex_flow="row wrap")),
                                   self._image])
        return self._widget

    def _on_slider(self, name):
        def callback(change):
            if self._syncing:
                return
            self._values[name] = self.sliders[name].grid[change["new"]]
            self._refresh()
        return callback

    def _sync_widget(self):
        self._syncing = True
        try:
            for n, sw in self._sliders_w.items():
                sw.value = self.sliders[n].nearest(self._values[n], warn=False)[0]
        finally:
            self._syncing = False

    def _refresh(self):
        t0 = time.perf_counter()
        self._image.value = self.png()
        self.timings.append(time.perf_counter() - t0)

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": repr(self), "text/html": self.html()}
        if _in_kernel():
            try:
                w = self.widget()
                view = {"model_id": w.model_id, "version_major": 2, "version_minor": 0}
                if hasattr(w, "_repr_mimebundle_"):   # ipywidgets' own, when it has one
                    view = (w._repr_mimebundle_() or {}).get(WIDGET_VIEW, view)
                bundle[WIDGET_VIEW] = view
            except ImportError:  # no ipywidgets: the HTML twin still works
                pass
        return bundle

    def __repr__(self):
        vals = ", ".join(f"{k}={_fmt(v)}" for k, v in self._values.items())
        return f"<live figure: {vals}>"


def live(draw: Callable, setup: Optional[Callable] = None, ncols: int = 1, nrows: int = 1,
         size=(4.8, 3.4), **sliders: Slider) -> LiveFigure:
    """A figure with sliders: ipywidgets in a kernel, a precomputed HTML twin on the site.

    ``setup(axes)`` (optional) draws the static content once; axis limits are frozen after
    it.  ``draw(axes, **values)`` adds the artists of one slider setting (it may also set
    a title).  Without ``setup`` the whole figure is redrawn for each setting.
    ``axes`` is a flat list of ``nrows * ncols`` matplotlib Axes, each ``size`` inches.
    """
    return LiveFigure(draw, setup=setup, ncols=ncols, nrows=nrows, size=size, **sliders)


def benchmark(n: int = 60, seed: int = 0) -> float:
    """Median response in ms (recompute + redraw + PNG) of a typical 2-D figure.

    The figure: contours of a quadratic, then a 30-step SGD-with-momentum trajectory and a
    text label for each (lr, momentum) setting.  Run ``python -m optlib.interactive``.
    """
    from . import core, objectives, plot

    obj = objectives.quadratic()

    def setup(axes):
        plot.contour(axes[0], obj, title="SGD with momentum")

    def draw(axes, lr, momentum):
        traj = core.trajectory(core.sgd(lr, momentum=momentum), obj, (-5, -2), 30)
        plot.path(axes[0], traj)
        axes[0].text(0.02, 0.95, f"f = {obj(traj[-1]):.3g}", transform=axes[0].transAxes)

    fig = live(draw, setup=setup, lr=Slider(0.01, 0.6, value=0.3, label="η"),
               momentum=Slider(0.0, 0.9, value=0.5, steps=20, label="β"))
    rng = np.random.default_rng(seed)
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n):
            t0 = time.perf_counter()
            fig.png(lr=rng.uniform(0.01, 0.6), momentum=rng.uniform(0.0, 0.9))
            times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


if __name__ == "__main__":
    print(f"median response (recompute + redraw + PNG): {benchmark():.1f} ms")
