"""optlib.interactive: slider grids (validated), snapping, consistency of values, labels and
image, the precomputed HTML twin and its contract with the script, the kernel widget."""
import base64
import json
import re
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

import optlib
from optlib import objectives, plot
from optlib import interactive as I
from optlib.interactive import LiveFigure, Slider, live
from optlib.interactive import contract, widget

ROOT = Path(__file__).resolve().parents[1]
OBJ = objectives.quadratic()


# ------------------------------------------------------------------ Slider
def test_linear_grid_and_default_value():
    s = Slider(0.01, 1.0, steps=25)
    assert len(s.grid) == 25
    assert s.grid[0] == 0.01 and s.grid[-1] == 1.0
    assert np.allclose(np.diff(s.grid), 0.99 / 24)
    assert s.value == s.grid[12]                      # the middle by default
    assert s.label is None


def test_log_grid_is_geometric():
    s = Slider(1e-3, 1.0, steps=4, log=True)
    assert np.allclose(s.grid, [1e-3, 1e-2, 1e-1, 1.0])
    with pytest.warns(UserWarning, match="snapped to the nearest one, 0.01"):
        assert s.snap(0.02) == (1, 0.01)              # nearest in log space: 0.01, not 0.1
    with pytest.warns(UserWarning, match="snapped"):
        assert s.snap(0.05)[0] == 2


def test_initial_value_snaps_to_the_grid():
    s = Slider(0.0, 1.0, value=0.33, steps=11)
    assert s.value == pytest.approx(0.3)
    assert Slider(values=[1, 2, 4, 8], value=5).value == 4.0


def test_values_slider_numbers_and_names():
    s = Slider(values=[0.1, 0.5, 0.9])
    assert s.numeric and s.grid == [0.1, 0.5, 0.9] and s.value == 0.5
    n = Slider(values=["sgd", "adam"], value="adam", label="optimizer")
    assert not n.numeric and n.value == "adam" and n.labels() == ["sgd", "adam"]
    with pytest.raises(ValueError, match="not one of"):
        n.snap("rmsprop", "opt")


def test_integer_sliders_pass_ints_to_draw():
    s = Slider(0, 10, steps=11)
    assert s.grid == list(range(11)) and all(type(v) is int for v in s.grid)
    assert type(Slider(values=[10, 20, 40]).value) is int
    with pytest.warns(UserWarning, match="clamped to 10"):
        assert s.snap(12, "n") == (10, 10) and type(s.snap(12, "n")[1]) is int
    assert Slider(1, 3, steps=5).grid == [1.0, 1.5, 2.0, 2.5, 3.0]   # not integral: floats
    seen = []
    fig = live(lambda axes, n: seen.append(n), n=Slider(values=[1, 2, 3]))
    fig.html()
    assert seen[-3:] == [1, 2, 3] and all(type(n) is int for n in seen)


@pytest.mark.parametrize("kwargs, message", [
    (dict(min=1.0, max=1.0), "min < max"),
    (dict(min=2.0, max=1.0), "min < max"),
    (dict(min=0.0, max=1.0, steps=1), "steps >= 2"),
    (dict(min=0.0, max=1.0, log=True), "min > 0"),
    (dict(min=0.0, max=1.0, steps=I.MAX_STEPS + 1), "at most"),
    (dict(values=[]), "at least one"),
    (dict(values=[3, 2, 1]), "increasing"),
    (dict(min=0, max=1, values=[1, 2]), "not both"),
    (dict(), "needs min and max"),
])
def test_bad_slider_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Slider(**kwargs)


def test_snap_warns_with_a_clear_message():
    s = Slider(0.01, 1.0, label="η")
    with pytest.warns(UserWarning, match=r"lr=5\.0 is outside the slider range \[0\.01, 1\]; "
                                         r"clamped to 1"):
        assert s.snap(5.0, "lr")[1] == 1.0
    with pytest.warns(UserWarning, match="clamped to 0.01"):
        assert s.snap(-3, "lr")[1] == 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("error")                # a grid value: silent and exact
        assert s.snap(s.grid[5], "lr") == (5, s.grid[5])
        assert s.snap(0.2575 + 1e-13, "lr") == (6, 0.2575)  # rounding noise is on the grid
    with pytest.warns(UserWarning, match="outside the slider range"):
        assert Slider(0.0, 1.0, value=7.0).value == 1.0


# ------------------------------------------------------------------ grids are validated
@pytest.mark.parametrize("make, error, message", [
    (lambda: Slider(0, 1, value=float("nan")), ValueError, "finite"),
    (lambda: Slider(0, 1, value="a"), TypeError, "real number"),
    (lambda: Slider(values=[0.1, float("nan"), 0.3]), ValueError, "finite"),
    (lambda: Slider(values=[0.1, float("inf")]), ValueError, "finite"),
    (lambda: Slider(values=["a", "a"]), ValueError, "distinct"),
    (lambda: Slider(values="abc"), TypeError, "list of values"),
    (lambda: Slider(values=[1, 1, 1, 1, 1]), ValueError, "increasing"),
    (lambda: Slider(1.0, 1.0 + 1e-13, steps=5), ValueError, "too close"),
    (lambda: Slider(0, 1, steps=2.7), TypeError, "integer"),
    (lambda: Slider(0, 1, steps=True), TypeError, "integer"),
    (lambda: Slider("0", "1"), TypeError, "real number"),
    (lambda: Slider(True, 2), TypeError, "real number"),
    (lambda: Slider(0, 1, log="yes"), TypeError, "True or False"),
    (lambda: Slider(0, 1, label=3), TypeError, "string"),
])
def test_bad_grids_and_values_are_rejected(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ------------------------------------------------------------------ LiveFigure
def _make(calls=None, steps=(5, 4), with_setup=True):
    calls = [] if calls is None else calls

    def setup(axes):
        plot.contour(axes[0], OBJ, xlim=(-5.5, 1.0), ylim=(-3.0, 1.5))

    def draw(axes, lr, momentum):
        calls.append((lr, momentum))
        traj = optlib.trajectory(optlib.sgd(lr, momentum=momentum), OBJ, (-5, -2), 20)
        plot.path(axes[0], traj)
        axes[0].text(0.02, 0.95, f"η = {lr:.2f}", transform=axes[0].transAxes)

    return live(draw, setup=setup if with_setup else None,
                lr=Slider(0.05, 0.4, value=0.2, steps=steps[0], label="η"),
                momentum=Slider(0.0, 0.9, value=0.5, steps=steps[1], label="β")), calls


def test_live_rejects_bad_slider_sets():
    with pytest.raises(ValueError, match="at least one Slider"):
        live(lambda axes: None)
    with pytest.raises(ValueError, match="at most 2 sliders"):
        live(lambda axes, a, b, c: None, a=Slider(0, 1), b=Slider(0, 1), c=Slider(0, 1))
    with pytest.raises(TypeError, match="must be a Slider"):
        live(lambda axes, a: None, a=(0, 1))


def test_values_and_update_snap_with_warning():
    fig, calls = _make()
    assert fig.values == {"lr": pytest.approx(0.225), "momentum": pytest.approx(0.6)}
    with pytest.warns(UserWarning, match="snapped to the nearest one, 0.138"):
        fig.update(lr=0.1)
    assert fig.values["lr"] == 0.1375 and calls[-1][0] == 0.1375   # drawn = value = grid
    with pytest.warns(UserWarning, match=r"momentum=1\.5 is outside the slider range"):
        fig.update(momentum=1.5)
    assert fig.values["momentum"] == 0.9
    with pytest.raises(KeyError, match="no slider 'beta'"):
        fig.update(beta=0.5)
    with pytest.raises(ValueError, match="finite"):
        fig.update(lr=float("nan"))
    assert fig.values == {"lr": 0.1375, "momentum": 0.9}


def _labels_in_html(html):
    return re.findall(r"<output>(.*?)</output>", html)


def test_image_label_and_values_agree_after_an_off_grid_update():
    """update(lr=0.37) on a 5-value grid: the figure draws the grid value its label shows."""
    seen = []

    def draw(axes, lr):
        seen.append(lr)
        axes[0].plot([0, 1], [0, lr])

    fig = live(draw, setup=lambda axes: axes[0].set_ylim(0, 1),
               lr=Slider(0.0, 1.0, value=0.5, steps=5))
    with pytest.warns(UserWarning, match="snapped"):
        fig.update(lr=0.37)
    assert fig.values["lr"] == 0.25 and seen[-1] == 0.25
    assert _labels_in_html(fig.html()) == ["0.25"]        # the twin starts at the drawn value
    assert fig.png() == fig.png(lr=0.25)


def test_integer_slider_never_passes_a_fraction_to_draw():
    seen = []
    fig = live(lambda axes, n: seen.append(n), n=Slider(0, 10, steps=11))
    with pytest.warns(UserWarning, match="snapped"):
        fig.update(n=3.5)
    assert seen[-1] in (3, 4) and type(seen[-1]) is int and fig.values["n"] == seen[-1]


def test_a_failing_draw_leaves_the_figure_as_it_was():
    def draw(axes, a):
        axes[0].plot([0, 1], [0, a])
        if a > 0.6:
            raise RuntimeError("no picture for this a")

    fig = live(draw, setup=lambda axes: axes[0].set_ylim(0, 1),
               a=Slider(0.1, 0.9, value=0.5, steps=5))
    good = fig.png()
    n_children = len(fig.axes[0].get_children())
    with pytest.raises(RuntimeError, match="no picture"):
        fig.update(a=0.9)
    assert fig.values == {"a": 0.5}                       # the previous good state
    assert len(fig.axes[0].get_children()) == n_children  # nothing left behind
    assert fig.png() == good                              # and later renders still work
    fig.update(a=0.3)
    assert fig.values == {"a": 0.3}


def test_a_failing_draw_in_the_widget_moves_the_slider_back(monkeypatch):
    monkeypatch.setattr(widget, "in_kernel", lambda: True)

    def draw(axes, a):
        if a > 0.6:
            raise RuntimeError("no picture")
        axes[0].plot([0, 1], [0, a])

    fig = live(draw, setup=lambda axes: axes[0].set_ylim(0, 1),
               a=Slider(0.1, 0.9, value=0.5, steps=5))
    fig.widget()
    old = fig._image.value
    with pytest.raises(RuntimeError):
        fig._sliders_w["a"].value = 4
    assert fig._sliders_w["a"].value == 2 and fig.values == {"a": 0.5}
    assert fig._image.value == old
    fig.widget().close()


def test_grid_precomputation_calls_draw_once_per_grid_point():
    fig, calls = _make(steps=(5, 4))
    calls.clear()
    html = fig.html()
    expected = [(a, b) for a in fig.sliders["lr"].grid for b in fig.sliders["momentum"].grid]
    assert calls == expected                          # row-major: the last slider fastest
    assert fig.html() == html and len(calls) == 20   # cached: no second precomputation
    data = json.loads(re.search(r'class="optlib-live-data">(.*?)</script>', html).group(1))
    assert len(data["frames"]) == 20
    assert [s["labels"] for s in data["sliders"]] == [fig.sliders["lr"].labels(),
                                                      fig.sliders["momentum"].labels()]
    assert len(set(data["frames"])) == 20             # every setting looks different
    # the sliders start at the current values and index the right frame
    assert 'max="4" step="1" value="2"' in html and 'max="3" step="1" value="2"' in html
    k0 = 2 * 4 + 2
    assert f'src="data:image/webp;base64,{data["frames"][k0]}"' in html


def test_overlays_are_transparent_and_the_background_is_opaque():
    fig, _ = _make(steps=(3, 2))
    html = fig.html()
    from io import BytesIO
    from PIL import Image
    data = json.loads(re.search(r'class="optlib-live-data">(.*?)</script>', html).group(1))
    over = np.asarray(Image.open(BytesIO(base64.b64decode(data["frames"][0]))).convert("RGBA"))
    assert over.shape == (340, 480, 4)
    assert (over[..., 3] == 0).mean() > 0.8            # mostly transparent: only the path
    bg = re.search(r'class="optlib-live-bg" src="data:image/png;base64,([^"]+)"', html).group(1)
    bg = np.asarray(Image.open(BytesIO(base64.b64decode(bg))).convert("RGBA"))
    assert bg.shape == over.shape and (bg[..., 3] == 255).all()


def test_html_twin_is_self_contained_and_small():
    fig, _ = _make(steps=(10, 8))
    html = fig.html()
    assert "http://" not in html and "https://" not in html and "<script src" not in html
    data = json.loads(re.search(r'class="optlib-live-data">(.*?)</script>', html).group(1))
    per_frame = sum(map(len, data["frames"])) / len(data["frames"])
    assert per_frame < 4 * 1024                       # a few kB of base64 per grid point
    assert len(html) < 400 * 1024                     # 80 grid points + background


def test_repeated_rendering_leaves_the_figure_unchanged():
    fig, _ = _make()
    n_children = [len(ax.get_children()) for ax in fig.axes]
    lims = [(ax.get_xlim(), ax.get_ylim()) for ax in fig.axes]
    a = fig.png(lr=0.1375, momentum=0.3)
    fig.html()
    assert [len(ax.get_children()) for ax in fig.axes] == n_children
    assert [(ax.get_xlim(), ax.get_ylim()) for ax in fig.axes] == lims
    assert fig.png(lr=0.1375, momentum=0.3) == a      # deterministic
    assert fig.png(lr=0.3125, momentum=0.3) != a


def test_no_pyplot_figures_are_left_behind():
    before = plt.get_fignums()
    fig, _ = _make(steps=(3, 2))
    fig.html()
    fig.png()
    assert plt.get_fignums() == before


def test_without_setup_every_setting_redraws_everything():
    fig, calls = _make(steps=(3, 2), with_setup=False)
    html = fig.html()
    assert "optlib-live-bg" not in html and len(calls) == 6
    assert fig.png(lr=0.05) != fig.png(lr=0.225)


def test_draw_may_set_a_dynamic_title():
    def setup(axes):
        axes[0].set_xlim(0, 1)
        axes[0].set_ylim(0, 1)

    def draw(axes, a):
        axes[0].set_title(f"a = {a:.1f}")
        axes[0].plot([0, 1], [0, a])

    fig = live(draw, setup=setup, a=Slider(0.1, 0.9, steps=3))
    assert fig.axes[0].get_title() == ""              # restored after every frame
    assert fig.png(a=0.1) != fig.png(a=0.9)
    assert fig.axes[0].get_title() == ""


def test_draw_changing_limits_warns_and_is_undone():
    def setup(axes):
        axes[0].set_xlim(0, 1)

    def draw(axes, a):
        axes[0].set_xlim(0, a)

    with pytest.warns(UserWarning, match="changed the axis limits"):
        fig = live(draw, setup=setup, a=Slider(0.5, 2.0, steps=3))
    assert fig.axes[0].get_xlim() == (0.0, 1.0)


def test_mime_bundle_outside_a_kernel_has_html_and_text():
    fig, _ = _make(steps=(3, 2))
    bundle = fig._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/html"].startswith('<div class="optlib-live"')
    assert "live figure" in bundle["text/plain"]


def test_mime_bundle_in_a_kernel_has_the_widget_view_too(monkeypatch):
    monkeypatch.setattr(widget, "in_kernel", lambda: True)
    fig, calls = _make(steps=(3, 2))
    bundle = fig._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    w = fig.widget()
    assert view["model_id"] == w.model_id and view["version_major"] == 2
    assert "text/html" in bundle and "text/plain" in bundle
    # moving a widget slider recomputes and replaces the image in place
    lr_w, mom_w = fig._sliders_w["lr"], fig._sliders_w["momentum"]
    assert [o[1] for o in lr_w.options] == [0, 1, 2]
    assert [o[0] for o in lr_w.options] == fig.sliders["lr"].labels()
    old = fig._image.value
    calls.clear()
    lr_w.value = 0
    assert calls == [(0.05, fig.values["momentum"])]
    assert fig.values["lr"] == 0.05 and fig._image.value != old
    assert len(fig.timings) == 1
    # update() moves the widget slider to the nearest grid point without a second redraw
    calls.clear()
    with pytest.warns(UserWarning, match="snapped"):
        fig.update(lr=0.39)
    assert lr_w.value == 2 and len(calls) == 1 and fig.values["lr"] == 0.4
    w.close()


# ------------------------------------------------------------------ site configuration
def test_book_config_shows_the_twin_and_loads_nothing_from_a_cdn():
    import yaml
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    sc = cfg["sphinx"]["config"]
    assert ["*", "application/vnd.jupyter.widget-view+json", None] in \
        sc["nb_mime_priority_overrides"]
    assert sc["nb_ipywidgets_js"] == {}
    assert not str(sc["mathjax_path"]).startswith(("http", "//"))
    assert (ROOT / "_vendor" / sc["mathjax_path"]).is_file()
    assert cfg["launch_buttons"]["thebe"] is False
    js = (ROOT / "_static" / "optlib-live.js").read_text()
    assert "http" not in js


def test_the_script_and_the_twin_share_the_contract():
    """Every name of optlib.interactive.contract that the script reads is in the script,
    and the twin writes every class of the contract."""
    js = (ROOT / "_static" / "optlib-live.js").read_text()
    missing = [name for name in contract.SCRIPT_NAMES if name not in js]
    assert not missing, f"_static/optlib-live.js does not use {missing}"
    fig, _ = _make(steps=(3, 2))
    html = fig.html()
    for name in (contract.ROOT, contract.CONTROLS, contract.SLIDER, contract.NAME,
                 contract.FIGURE, contract.BACKGROUND, contract.FRAME, contract.OVERLAY,
                 contract.DATA):
        assert f'class="{name}' in html or f' {name}"' in html, name
    data = json.loads(re.search(rf'class="{contract.DATA}">(.*?)</script>', html).group(1))
    assert set(data) == {"mime", "frames", "sliders"}
    assert all(set(s) == {"name", "labels"} for s in data["sliders"])
    k = contract.frame_index([2, 1], [3, 2])
    assert k == 5 and len(data["frames"]) == 6


def test_diverging_settings_make_no_warning_noise_in_the_twin():
    def setup(axes):
        plot.contour(axes[0], OBJ)

    def draw(axes, lr):
        plot.path(axes[0], optlib.trajectory(optlib.sgd(lr), OBJ, (-5, -2), 400))

    fig = live(draw, setup=setup, lr=Slider(0.1, 2.0, value=0.1, steps=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.html()
    with pytest.warns(optlib.DivergenceWarning):     # outside the twin it still warns
        fig.png(lr=2.0)
