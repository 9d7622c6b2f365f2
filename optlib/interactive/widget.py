"""The kernel side of a live figure: ipywidgets sliders and an image updated in place."""
from __future__ import annotations

import time

__all__ = ["WIDGET_VIEW", "in_kernel", "build", "show", "mime"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def in_kernel() -> bool:
    """True inside a Jupyter kernel (where widgets can be displayed)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def build(fig):
    """The ipywidgets view of ``fig`` (sliders + image), created on first use."""
    if fig._widget is None:
        import ipywidgets as W
        fig._sliders_w = {}
        fig._syncing = False
        for n, s in fig.sliders.items():
            sw = W.SelectionSlider(options=[(lab, j) for j, lab in enumerate(s.labels())],
                                   value=fig.index(n), description=str(s.label),
                                   continuous_update=fig._bg is not None,
                                   style={"description_width": "initial"},
                                   layout=W.Layout(width="min(100%, 420px)"))
            sw.observe(_on_slider(fig, n), names="value")
            fig._sliders_w[n] = sw
        w, _ = fig.fig.canvas.get_width_height()
        fig._image = W.Image(value=fig.png(), format="png",
                             layout=W.Layout(width=f"{w}px", max_width="100%"))
        fig._widget = W.VBox([W.HBox(list(fig._sliders_w.values()),
                                     layout=W.Layout(flex_flow="row wrap")), fig._image])
    return fig._widget


def _on_slider(fig, name):
    def callback(change):
        if fig._syncing:
            return
        t0 = time.perf_counter()
        new = {**fig._values, name: fig.sliders[name].grid[change["new"]]}
        try:
            png = fig._png(new)
        except BaseException:
            _sync(fig)                  # the slider goes back to the drawn value
            raise
        fig._values = new
        fig._image.value = png
        fig.timings.append(time.perf_counter() - t0)
    return callback


def _sync(fig):
    """Move the widget sliders to the figure's values without triggering a redraw."""
    fig._syncing = True
    try:
        for n, sw in fig._sliders_w.items():
            sw.value = fig.index(n)
    finally:
        fig._syncing = False


def show(fig, png: bytes) -> None:
    """Show the (already drawn) current values: sliders and image."""
    _sync(fig)
    fig._image.value = png


def mime(fig) -> dict:
    """The widget-view part of the mime bundle (empty outside a kernel or without ipywidgets)."""
    if not in_kernel():
        return {}
    try:
        w = build(fig)
    except ImportError:  # no ipywidgets: the HTML twin still works
        return {}
    view = {"model_id": w.model_id, "version_major": 2, "version_minor": 0}
    if hasattr(w, "_repr_mimebundle_"):   # ipywidgets' own, when it has one
        view = (w._repr_mimebundle_() or {}).get(WIDGET_VIEW, view)
    return {WIDGET_VIEW: view}
