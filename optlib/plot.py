"""Plot helpers shared by every chapter, in one consistent style (matplotlib).

Every helper draws on a given ``ax`` and returns the artists it made, so the same
code draws a static figure and a frame of a live figure (:mod:`optlib.interactive`).
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["STYLE", "COLORS", "figure", "curve", "iterates_1d", "contour", "path",
           "surface", "loss_curves", "schedule_curve", "chord", "region"]

#: The book's matplotlib style (applied by :func:`figure`).
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}

#: Colour cycle: optimizers keep their colour from figure to figure.
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
          "#e377c2", "#7f7f7f"]


def figure(ncols: int = 1, nrows: int = 1, size=(4.8, 3.4), **kw):
    """A figure with ``nrows x ncols`` axes in the book's style (axes always a flat array)."""
    mpl.rcParams.update(STYLE)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows),
                             squeeze=False, layout="constrained", **kw)
    return fig, axes.ravel()


def _finish(ax, title=None, xlabel=None, ylabel=None):
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)


def curve(ax, objective, xlim=(-1.0, 1.0), n: int = 400, title=None, label=None,
          xlabel="x", ylabel="f(x)", **kw):
    """Draw a 1-D objective over ``xlim``."""
    xs = np.linspace(*xlim, n)
    (line,) = ax.plot(xs, objective(xs), color="0.35", label=label or objective.name, **kw)
    _finish(ax, title if title is not None else f"f(x) = {objective.name}", xlabel, ylabel)
    return [line]


def iterates_1d(ax, objective, traj, color=COLORS[1], label=None, **kw):
    """Mark 1-D iterates (shape (T, 1) or (T,)) on the curve, joined in order."""
    xs = np.asarray(traj, dtype=float).reshape(len(traj), -1)[:, 0]
    (line,) = ax.plot(xs, objective(xs), "-o", color=color, ms=4, lw=1, label=label, **kw)
    return [line]


def contour(ax, objective, xlim=(-5.5, 1.0), ylim=(-3.0, 1.5), n: int = 200, levels=20,
            title=None, filled=False, **kw):
    """Contour lines of a 2-D objective, with labelled axes x₁, x₂."""
    x1, x2 = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    z = objective(np.stack([x1, x2], axis=-1))
    draw = ax.contourf if filled else ax.contour
    cs = draw(x1, x2, z, levels=levels, cmap=kw.pop("cmap", "Blues_r" if not filled else None),
              **kw)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    _finish(ax, title if title is not None else f"f(x) = {objective.name}", "x₁", "x₂")
    return [cs]


def path(ax, traj, color=COLORS[1], label=None, marker="o", **kw):
    """A 2-D trajectory (shape (T, 2)) as dots joined by lines; the start is marked."""
    traj = np.asarray(traj, dtype=float)
    (line,) = ax.plot(traj[:, 0], traj[:, 1], "-", marker=marker, ms=3.5, lw=1.2,
                      color=color, label=label, **kw)
    start = ax.scatter(traj[:1, 0], traj[:1, 1], s=40, facecolor="white", edgecolor=color,
                       zorder=3)
    return [line, start]


def surface(ax, objective, xlim=(-1, 1), ylim=(-1, 1), n: int = 60, title=None, **kw):
    """A 3-D surface of a 2-D objective (``ax`` must be a 3-D axes)."""
    x1, x2 = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    z = objective(np.stack([x1, x2], axis=-1))
    surf = ax.plot_surface(x1, x2, z, cmap=kw.pop("cmap", "viridis"), alpha=0.85, lw=0, **kw)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_zlabel("f(x)")
    if title is not None:
        ax.set_title(title)
    return [surf]


def loss_curves(ax, curves: Mapping[str, tuple], title="Training loss", xlabel="epoch",
                ylabel="loss", logx=False, logy=False, **kw):
    """Several loss curves ``{label: (x, y)}`` on one axes, in the book's colours."""
    lines = []
    for color, (label, (x, y)) in zip(COLORS * 4, curves.items()):
        lines += ax.plot(x, y, label=label, color=color, **kw)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.legend()
    _finish(ax, title, xlabel, ylabel)
    return lines


def schedule_curve(ax, schedule, steps: int, label=None, color=None, title=None,
                   xlabel="update t", ylabel="learning rate ηₜ", **kw):
    """Plot a schedule's rate for t = 0 .. steps-1."""
    t = np.arange(steps)
    lines = ax.plot(t, schedule(t), label=label, color=color, **kw)
    _finish(ax, title, xlabel, ylabel)
    return lines


def chord(ax, objective, a: float, b: float, theta: Optional[float] = None,
          color=COLORS[0], **kw):
    r"""The chord of a 1-D objective between ``a`` and ``b`` (convexity pictures).

    With ``theta`` = θ, also mark the point x = θa + (1 − θ)b: on the chord (height
    θf(a) + (1 − θ)f(b)) and on the curve (height f(x)), joined by a dotted segment,
    green when the chord lies above the curve there and red when it lies below.
    """
    fa, fb = float(objective(a)), float(objective(b))
    artists = ax.plot([a, b], [fa, fb], "-", color=color, lw=1.4, **kw)
    artists += ax.plot([a, b], [fa, fb], "o", color=color, ms=5)
    if theta is not None:
        x = theta * a + (1 - theta) * b
        on_chord, on_curve = theta * fa + (1 - theta) * fb, float(objective(x))
        ok = on_chord >= on_curve - 1e-12
        gap_color = COLORS[2] if ok else COLORS[3]
        artists += ax.plot([x, x], [on_curve, on_chord], ":", color=gap_color, lw=2)
        artists += ax.plot([x], [on_chord], "s", color=color, ms=6)
        artists += ax.plot([x], [on_curve], "o", mfc="white", mec=gap_color, ms=6, mew=1.5)
    return artists


def region(ax, vertices, segment=None, title=None, color=COLORS[0], n: int = 200):
    """A planar set (the polygon ``vertices``, shape (k, 2)) with an optional segment.

    ``segment = (a, b)`` draws the segment between the points a and b: green when all of
    it lies in the set, red (with the points that leave the set marked) otherwise.
    """
    from matplotlib.patches import Polygon
    from matplotlib.path import Path

    vertices = np.asarray(vertices, dtype=float)
    patch = ax.add_patch(Polygon(vertices, closed=True, facecolor=color, alpha=0.25,
                                 edgecolor=color, lw=1.5))
    artists = [patch]
    if segment is not None:
        a, b = (np.asarray(p, dtype=float) for p in segment)
        theta = np.linspace(0.0, 1.0, n)[:, None]
        pts = theta * a + (1 - theta) * b
        inside = Path(vertices).contains_points(pts)
        seg_color = COLORS[2] if inside.all() else COLORS[3]
        artists += ax.plot(pts[:, 0], pts[:, 1], "-", color=seg_color, lw=1.8)
        artists += ax.plot(*np.stack([a, b]).T, "o", color=seg_color, ms=5)
        if not inside.all():
            artists += ax.plot(pts[~inside, 0], pts[~inside, 1], ".", color=COLORS[3], ms=3)
    ax.autoscale_view()
    ax.set_aspect("equal")
    _finish(ax, title)
    return artists
