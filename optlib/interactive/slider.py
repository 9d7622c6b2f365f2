"""Slider: a fixed, validated grid of values; every value a figure sees is a grid value."""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from .._validate import Flag

__all__ = ["Slider", "MAX_STEPS", "fmt"]

MAX_STEPS = 40          # values per slider (the site precomputes every grid point)
_ON_GRID = 1e-9         # relative distance below which a value *is* the grid value


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def fmt(v) -> str:
    """Short, human label of a slider value."""
    if not _is_number(v):
        return str(v)
    return f"{float(v):.3g}"


class Slider:
    """A slider over a fixed grid of values.

    ``Slider(min, max, value=None, steps=25, log=False, label=None)``: ``steps`` evenly
    spaced values from ``min`` to ``max`` (geometrically spaced when ``log=True``);
    integer bounds whose grid is integral give ints (``Slider(0, 10, steps=11)``).
    ``Slider(values=[...])``: exactly these values: finite, increasing numbers, or
    distinct names (strings).  ``value`` is the initial setting, snapped to the nearest
    grid value (default: the middle of the grid).

    A figure only ever sees grid values: :meth:`snap` maps any requested value to its
    grid point, so the drawn image, the slider's label and ``fig.values`` agree.
    """

    def __init__(self, min=None, max=None, value=None, steps: int = 25, log: bool = False,
                 label: Optional[str] = None, *, values: Optional[Sequence] = None):
        log = Flag("log")(log)
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Slider label must be a string, got {label!r}")
        if values is not None:
            if min is not None or max is not None:
                raise ValueError("Slider: give either min and max or values=[...], not both")
            grid = self._explicit_grid(values)
        else:
            if min is None or max is None:
                raise ValueError("Slider needs min and max, or values=[...]")
            grid = self._spaced_grid(min, max, steps, log)
        if len(grid) > MAX_STEPS:
            raise ValueError(f"Slider has {len(grid)} values; at most {MAX_STEPS} are "
                             "allowed (the site precomputes every grid point)")
        self.grid: List[Any] = grid
        self.log = log
        self.label = label
        self.index = len(grid) // 2 if value is None else self.snap(value, "value",
                                                                    warn_off_grid=False)[0]

    # ------------------------------------------------------------------ grids
    def _explicit_grid(self, values) -> list:
        if isinstance(values, (str, bytes, dict, set, frozenset)) or not hasattr(values, "__len__"):
            raise TypeError(f"Slider(values=...) takes a list of values, got {values!r}")
        grid = list(values.tolist() if isinstance(values, np.ndarray) else values)
        if not grid:
            raise ValueError("Slider(values=[...]) needs at least one value")
        self.numeric = all(_is_number(v) for v in grid)
        self.integer = self.numeric and all(isinstance(v, (int, np.integer)) for v in grid)
        if self.numeric:
            grid = [int(v) if self.integer else float(v) for v in grid]
            bad = [v for v in grid if not math.isfinite(v)]
            if bad:
                raise ValueError(f"Slider(values=[...]): every value must be finite, got {bad[0]}")
            if any(b <= a for a, b in zip(grid, grid[1:])):
                raise ValueError(f"Slider(values=[...]): numbers must be increasing, got {grid}")
        else:
            labels = [fmt(v) for v in grid]
            if len(set(labels)) != len(labels):
                dup = next(lab for lab in labels if labels.count(lab) > 1)
                raise ValueError(f"Slider(values=[...]): the values must be distinct, "
                                 f"{dup!r} appears twice")
        return grid

    def _spaced_grid(self, lo, hi, steps, log) -> list:
        for name, v in (("min", lo), ("max", hi)):
            if not _is_number(v):
                raise TypeError(f"Slider {name} must be a real number, got {v!r}")
        if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)):
            raise TypeError(f"Slider steps must be an integer, got {steps!r}")
        ints = all(isinstance(v, (int, np.integer)) for v in (lo, hi)) and not log
        lo, hi, steps = float(lo), float(hi), int(steps)
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
            raise ValueError(f"Slider needs finite min < max, got min={lo}, max={hi}")
        if steps < 2:
            raise ValueError(f"Slider needs steps >= 2, got {steps}")
        if steps > MAX_STEPS:
            raise ValueError(f"Slider has {steps} values; at most {MAX_STEPS} are allowed "
                             "(the site precomputes every grid point)")
        if log:
            if lo <= 0:
                raise ValueError(f"a log Slider needs min > 0, got min={lo}")
            grid = np.geomspace(lo, hi, steps)
        else:
            grid = np.linspace(lo, hi, steps)
        # round away float noise so labels and values look like what was asked for
        grid = [float(f"{g:.12g}") for g in grid]
        if any(b <= a for a, b in zip(grid, grid[1:])):
            raise ValueError(f"Slider({lo}, {hi}, steps={steps}): the values are too close "
                             "together to be distinct; widen the range or use fewer steps")
        self.numeric = True
        # Slider(0, 10, steps=11) gives the ints 0..10 (e.g. a number of steps)
        self.integer = ints and all(g == round(g) for g in grid)
        return [int(round(g)) for g in grid] if self.integer else grid

    # ------------------------------------------------------------------ values
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
        return [fmt(v) for v in self.grid]

    def snap(self, value, name: str = "value", warn_off_grid: bool = True) -> Tuple[int, Any]:
        """(index, grid value) of the grid point for ``value``.

        Names must be grid values.  A number must be real and finite; outside [min, max]
        it is clamped with a warning, between grid points it goes to the nearest one
        (nearest in log space for a log slider) with a warning unless ``warn_off_grid``
        is False."""
        if not self.numeric:
            try:
                return self.grid.index(value), value
            except ValueError:
                raise ValueError(f"{name}={value!r} is not one of the slider's values "
                                 f"{self.grid!r}") from None
        if not _is_number(value):
            raise TypeError(f"{name}={value!r}: this slider takes a real number")
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"{name}={value!r}: this slider takes a finite number")
        if v < self.min or v > self.max:
            c = self.max if v > self.max else self.min
            warnings.warn(f"live figure: {name}={value!r} is outside the slider range "
                          f"[{fmt(self.min)}, {fmt(self.max)}]; clamped to {fmt(c)}",
                          UserWarning, stacklevel=3)
            v = c
        g = np.asarray(self.grid, dtype=float)
        x, gx = (np.log(v), np.log(g)) if self.log else (v, g)
        i = int(np.argmin(np.abs(gx - x)))
        if warn_off_grid and abs(g[i] - v) > _ON_GRID * max(abs(v), abs(g[i]), 1e-300):
            warnings.warn(f"live figure: {name}={value!r} is not a slider value; snapped to "
                          f"the nearest one, {fmt(self.grid[i])} (the figure shows only "
                          "grid values)", UserWarning, stacklevel=3)
        return i, self.grid[i]

    def __repr__(self):
        return (f"Slider({fmt(self.min)}..{fmt(self.max)}, {len(self.grid)} values, "
                f"value={fmt(self.value)}, label={self.label!r})")
