"""The convexity plot helpers colour a chord / segment by whether it stays above / inside."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import optlib.plot as P  # noqa: E402
from optlib import objectives as O  # noqa: E402


def test_chord_colours_gap_by_convexity():
    fig, (ax,) = P.figure()
    art = P.chord(ax, O.square, -1.0, 2.0, theta=0.5)
    assert art[2].get_color() == P.COLORS[2]            # chord above x²: green
    art = P.chord(ax, O.cos, -1.0, 1.0, theta=0.5)
    assert art[2].get_color() == P.COLORS[3]            # chord below cos near 0: red
    np.testing.assert_allclose(art[0].get_ydata(), np.cos([-1.0, 1.0]))
    assert len(P.chord(ax, O.exp, 0.0, 1.0)) == 2       # no θ: chord and its endpoints


def test_region_segment_inside_or_not():
    fig, (ax,) = P.figure()
    square = [(0, 0), (1, 0), (1, 1), (0, 1)]
    art = P.region(ax, square, segment=((0.1, 0.1), (0.9, 0.8)))
    assert art[1].get_color() == P.COLORS[2]
    l_shape = [(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)]
    art = P.region(ax, l_shape, segment=((1.8, 0.5), (0.5, 1.8)))
    assert art[1].get_color() == P.COLORS[3]
