"""Response time of a live figure: ``python -m benchmarks.interactive``.

One response is what a reader waits for after moving a slider in a kernel: recompute
(a 30-step trajectory), redraw the artists of one setting over the cached background, and
encode the PNG.  The figure: contours of a quadratic, then a 30-step SGD-with-momentum
trajectory and a text label for each (lr, momentum) setting; settings are drawn at random
from the slider grid.
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from optlib import objectives, plot, trajectory, sgd
from optlib.interactive import Slider, live
from optlib.interactive.figure import encode


def benchmark(n: int = 60, seed: int = 0) -> float:
    """Median response in ms (recompute + redraw + PNG) over ``n`` random grid settings."""
    obj = objectives.quadratic()

    def setup(axes):
        plot.contour(axes[0], obj, title="SGD with momentum")

    def draw(axes, lr, momentum):
        traj = trajectory(sgd(lr, momentum=momentum), obj, (-5, -2), 30)
        plot.path(axes[0], traj)
        axes[0].text(0.02, 0.95, f"f = {obj(traj[-1]):.3g}", transform=axes[0].transAxes)

    fig = live(draw, setup=setup, lr=Slider(0.01, 0.6, value=0.3, label="η"),
               momentum=Slider(0.0, 0.9, value=0.5, steps=20, label="β"))
    rng = np.random.default_rng(seed)
    grids = {name: s.grid for name, s in fig.sliders.items()}
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n):
            values = {name: grid[rng.integers(len(grid))] for name, grid in grids.items()}
            t0 = time.perf_counter()
            encode(fig.render(values), "png")
            times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


if __name__ == "__main__":
    print(f"median response (recompute + redraw + PNG): {benchmark():.1f} ms")
