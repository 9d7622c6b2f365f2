"""The measurements behind ``python -m benchmarks``.

Timing protocol (the 2 cores may be shared, so absolute times drift from minute to
minute): every implementation of one row gets its own copy of the data, one warm-up
step, then ``repeats`` rounds in which each implementation takes one timed step, in an
order that rotates from round to round.  A streaming ``a += b`` over arrays of the same
size runs in the same rounds; it gives the memory bandwidth that the row's floor is
computed from (an in-place update, like an optimizer step, so no write-allocate traffic
that a copy into a third array would add).  We report medians, and ratios between
implementations of one row as the median of their per-round ratios.
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import datetime
import json
import os
import platform
import statistics
import warnings
from pathlib import Path

import numpy as np  # noqa: E402
import torch  # noqa: E402

import optlib  # noqa: E402
import optlib.torch as ot  # noqa: E402
from optlib import objectives  # noqa: E402
from optlib.numerics import ROUNDOFF_ULPS, ulp_error  # noqa: E402

RESULTS = Path(__file__).parent / "results"

# label, optlib.torch class and kwargs, nearest torch.optim class and kwargs,
# arrays moved per step (p, g and the state read, p and the state written)
TORCH_ROWS = [
    ("SGD, momentum", ot.SGD, dict(lr=1e-3, momentum=0.9),
     torch.optim.SGD, dict(lr=1e-3, momentum=0.9), 5),
    ("AdaGrad, ε in √ (book)", ot.Adagrad, dict(lr=1e-2),
     torch.optim.Adagrad, dict(lr=1e-2), 5),
    ("AdaGrad, torch's ε", ot.Adagrad, dict(lr=1e-2, eps=1e-10, eps_inside_sqrt=False),
     torch.optim.Adagrad, dict(lr=1e-2), 5),
    ("RMSProp, ε in √ (book)", ot.RMSprop, dict(lr=1e-2),
     torch.optim.RMSprop, dict(lr=1e-2, alpha=0.9), 5),
    ("Adadelta (book)", ot.Adadelta, dict(), torch.optim.Adadelta, dict(), 7),
    ("Adam, torch's conventions", ot.Adam, dict(lr=1e-3), torch.optim.Adam, dict(lr=1e-3), 7),
    ("AdamW, torch's conventions", ot.AdamW, dict(lr=1e-3), torch.optim.AdamW, dict(lr=1e-3), 7),
    ("Yogi (vs torch's Adam)", ot.Yogi, dict(lr=1e-2), torch.optim.Adam, dict(lr=1e-2), 7),
]
NUMPY_ROWS = [
    ("SGD, momentum", optlib.sgd(1e-3, momentum=0.9), 5),
    ("AdaGrad", optlib.adagrad(1e-2), 5),
    ("RMSProp", optlib.rmsprop(1e-2), 5),
    ("Adadelta", optlib.adadelta(), 7),
    ("Adam", optlib.adam(1e-3), 7),
    ("AdamW", optlib.adamw(1e-3), 7),
    ("Yogi", optlib.yogi(1e-2), 7),
]
IMPLS = ["optlib", "optlib (rule)", "for-loop", "foreach", "fused"]


def _rounds(fns: dict, repeats: int, warmup: int = 1) -> dict:
    """Seconds of one call of each function in each round, timed round-robin (the order
    rotates from round to round)."""
    for f in fns.values():
        for _ in range(warmup):
            f()
    times = {k: [] for k in fns}
    keys = list(fns)
    for r in range(repeats):
        for k in keys[r % len(keys):] + keys[:r % len(keys)]:
            t0 = time.perf_counter()
            fns[k]()
            times[k].append(time.perf_counter() - t0)
    return times


def _median(times):
    return {k: statistics.median(v) for k, v in times.items()}


def _ratio(times, a, b):
    """Median over rounds of time(a) / time(b): a ratio taken side by side."""
    if b not in times:
        return None
    return statistics.median(x / y for x, y in zip(times[a], times[b]))


def _torch_params(size, tensors, seed=0):
    gen = torch.Generator().manual_seed(seed)
    params = []
    for n in np.diff(np.linspace(0, size, tensors + 1).astype(int)):
        p = torch.randn(int(n), generator=gen).requires_grad_()
        p.grad = torch.randn(int(n), generator=gen)
        params.append(p)
    return params


def torch_rows(size, tensors, repeats, reference):
    rows = []
    a, b = torch.randn(size), torch.randn(size)
    for label, ours, our_kw, theirs, their_kw, arrays in TORCH_ROWS:
        opts = {"optlib": ours(_torch_params(size, tensors), **our_kw)}
        if reference:
            opts["optlib (rule)"] = ours(_torch_params(size, tensors), **our_kw)
            opts["optlib (rule)"].fast = False
        for impl, flag in [("for-loop", dict(foreach=False)), ("foreach", dict(foreach=True)),
                           ("fused", dict(fused=True))]:
            try:
                opts[impl] = theirs(_torch_params(size, tensors), **their_kw, **flag)
            except (TypeError, RuntimeError, ValueError):
                pass          # torch.optim has no such implementation of this rule
        fns = {k: o.step for k, o in opts.items()}
        fns["stream"] = lambda: a.add_(b)
        times = _rounds(fns, repeats)
        med = _median(times)
        bandwidth = 3 * 4 * size / med.pop("stream")   # bytes/s: a += b reads 2, writes 1
        floor = arrays * 4 * size / bandwidth
        row = dict(rule=label, size=size, dtype="float32", bytes_per_param=arrays * 4,
                   nearest=theirs.__name__, bandwidth_GBps=bandwidth / 1e9, floor_s=floor,
                   times_s={k: med.get(k) for k in IMPLS})
        row["vs_fused"] = _ratio(times, "optlib", "fused")
        row["vs_foreach"] = _ratio(times, "optlib", "foreach")
        row["floor_fraction"] = floor / med["optlib"]
        rows.append(row)
        del opts, fns
    return rows


def numpy_rows(size, repeats):
    rows = []
    rng = np.random.default_rng(0)
    g = rng.normal(size=size)
    a, b = rng.normal(size=size), rng.normal(size=size)
    for label, opt, arrays in NUMPY_ROWS:
        x0 = rng.normal(size=size)
        box = {"x": x0.copy(), "state": opt.init(x0)}
        y, state_ = x0.copy(), [opt.init(x0)]

        def expression():
            box["x"], box["state"] = opt.step(box["x"], g, box["state"])

        def inplace():
            state_[0] = opt.step_(y, g, state_[0])

        times = _rounds({"expression": expression, "in place": inplace,
                         "stream": lambda: np.add(a, b, out=a)}, repeats)
        med = _median(times)
        bandwidth = 3 * 8 * size / med["stream"]
        floor = arrays * 8 * size / bandwidth
        same = (np.array_equal(box["x"], y)
                and all(np.array_equal(a, b) for a, b in zip(box["state"].rule, state_[0].rule)))
        rows.append(dict(rule=label, size=size, dtype="float64", bytes_per_param=arrays * 8,
                         bandwidth_GBps=bandwidth / 1e9, floor_s=floor,
                         times_s={"expression": med["expression"], "in place": med["in place"]},
                         ratio=_ratio(times, "in place", "expression"),
                         floor_fraction=floor / med["in place"], bit_identical=bool(same)))
    return rows


def sweep_row(settings, steps, repeats):
    obj, x0 = objectives.quadratic(1.0, 2.0), (-1.5, 1.0)
    lrs = np.linspace(0.005, 0.45, settings)     # every setting converges (curvature 4)
    out = {}

    def swept():
        out["sweep"] = optlib.sweep(optlib.sgd, obj, x0, steps, lr=lrs, momentum=0.5)

    def loop():
        with warnings.catch_warnings():
            warnings.simplefilter("error")        # a diverged run would be cut short
            out["loop"] = np.stack([optlib.trajectory(optlib.sgd(lr, momentum=0.5), obj, x0, steps)
                                    for lr in lrs])

    med = _median(_rounds({"loop": loop}, 1, warmup=0))      # the loop is slow: once
    med.update(_median(_rounds({"sweep": swept}, repeats)))
    return dict(problem="SGD (momentum 0.5) on 1·x₁² + 2·x₂²", settings=settings, steps=steps,
                times_s=med, speedup=med["loop"] / med["sweep"],
                ulp_error=ulp_error(out["sweep"], out["loop"]))


# ----------------------------------------------------------------------- reporting
def _ms(t):
    return "—" if t is None else f"{t * 1e3:,.0f}" if t >= 0.1 else f"{t * 1e3:.1f}"


def _x(r):
    return "—" if r is None else f"{r:.2f}×"


def markdown(result) -> str:
    meta = result["meta"]
    lines = [f"*Run of {meta['date']} UTC on {meta['machine']} ({meta['cpus']} CPUs, load "
             f"average {meta['load']:.1f} at the start), torch {meta['torch']}, NumPy "
             f"{meta['numpy']}, {meta['threads']} torch thread(s), medians of "
             f"{meta['repeats']} rounds; times in ms.*", "",
             "**torch: one `step()`**, float32, parameters split into "
             f"{meta['tensors']} tensors. *vs fused / vs foreach*: optlib's time divided by "
             "torch.optim's, median of the per-round ratios (below 1 is faster); *floor*: bytes "
             "moved ÷ memory bandwidth, measured in the same rounds by `a += b` on arrays of "
             "the same size; *% of floor*: floor ÷ optlib's time.", "",
             "| rule | size | optlib | optlib (rule) | for-loop | foreach | fused | "
             "vs fused | vs foreach | B/param | floor | % of floor |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["torch"]:
        t = r["times_s"]
        lines.append(f"| {r['rule']} | {r['size']:.0e} | {_ms(t['optlib'])} | "
                     f"{_ms(t['optlib (rule)'])} | {_ms(t['for-loop'])} | {_ms(t['foreach'])} | "
                     f"{_ms(t['fused'])} | {_x(r['vs_fused'])} | {_x(r['vs_foreach'])} | "
                     f"{r['bytes_per_param']} | {_ms(r['floor_s'])} | "
                     f"{100 * r['floor_fraction']:.0f}% |")
    lines += ["", "**NumPy: one step**, float64: `opt.step` (the rule as an expression) "
              "against `opt.step_` (in place, block by block).", "",
              "| rule | size | expression | in place | ratio | bit-identical | B/param | "
              "floor | % of floor |", "|---|---:|---:|---:|---:|:---:|---:|---:|---:|"]
    for r in result["numpy"]:
        t = r["times_s"]
        lines.append(f"| {r['rule']} | {r['size']:.0e} | {_ms(t['expression'])} | "
                     f"{_ms(t['in place'])} | {_x(r['ratio'])} | "
                     f"{'yes' if r['bit_identical'] else 'NO'} | {r['bytes_per_param']} | "
                     f"{_ms(r['floor_s'])} | {100 * r['floor_fraction']:.0f}% |")
    s = result["sweep"]
    lines += ["", f"**Sweep**: {s['settings']} learning rates × {s['steps']} steps, "
              f"{s['problem']}: one `optlib.sweep` call {_ms(s['times_s']['sweep'])} ms, a "
              f"Python loop of `optlib.trajectory` {_ms(s['times_s']['loop'])} ms: "
              f"**{s['speedup']:.0f}× faster**; the results agree to round-off "
              f"({s['ulp_error']:.0f} ulp of their scale; a batch and single runs are different "
              f"code paths, see `optlib.numerics`).", ""]
    return "\n".join(lines + targets(result))


def _verdict(value, limit, fmt="{:.2f}×"):
    if value is None:
        return "—", "n/a (torch has no fused kernel for it)"
    return fmt.format(value), "met" if value <= limit else "**missed**"


def targets(result) -> list:
    """The issue's targets, checked against this run."""
    torch_rows = {r["rule"]: r for r in result["torch"]}
    lines = ["**Targets** (from the project's performance issue), checked on this run:", "",
             "| target | measured | verdict |", "|---|---:|---|"]
    for rule in ["Adam, torch's conventions", "AdamW, torch's conventions"]:
        v, ok = _verdict(torch_rows[rule]["vs_fused"], 1.1)
        lines.append(f"| {rule}: ≤ 1.1× `torch.optim` fused | {v} | {ok} |")
    for rule in ["AdaGrad, ε in √ (book)", "RMSProp, ε in √ (book)", "Adadelta (book)"]:
        v, ok = _verdict(torch_rows[rule]["vs_foreach"], 1.0)
        lines.append(f"| {rule}: ≤ 1× `torch.optim` foreach | {v} | {ok} |")
        v, ok = _verdict(torch_rows[rule]["vs_fused"], 2.0)
        lines.append(f"| {rule}: ≤ 2× `torch.optim` fused | {v} | {ok} |")
    for r in result["numpy"]:
        v, ok = _verdict(r["ratio"], 0.5)
        ok += "" if r["bit_identical"] else ", NOT bit-identical"
        lines.append(f"| NumPy {r['rule']}: in place ≤ 0.5× expression | {v} | {ok} |")
    s = result["sweep"]
    v, ok = _verdict(-s["speedup"], -50, fmt="")
    ok += "" if s["ulp_error"] <= ROUNDOFF_ULPS else ", results DIFFER beyond round-off"
    lines.append(f"| sweep of {s['settings']} rates ≥ 50× a loop | {s['speedup']:.0f}× | {ok} |")
    secs = result["meta"].get("seconds")
    if secs is not None:
        v, ok = _verdict(secs, 120, fmt="{:.0f} s")
        lines.append(f"| benchmark under 2 minutes | {v} | {ok} |")
    return lines + [""]


def chart(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5.4), gridspec_kw=dict(width_ratios=[3, 2]))
    colors = {"optlib": "#1f77b4", "for-loop": "#7f7f7f", "foreach": "#ff7f0e",
              "fused": "#2ca02c", "expression": "#7f7f7f", "in place": "#1f77b4"}
    for ax, rows, impls, title in [
            (axes[0], result["torch"], ["optlib", "for-loop", "foreach", "fused"],
             f"torch step() (float32, {result['torch'][0]['size']:.0e} parameters)"),
            (axes[1], result["numpy"], ["expression", "in place"],
             f"NumPy step (float64, {result['numpy'][0]['size']:.0e})")]:
        n, h = len(rows), 0.8 / len(impls)
        for i, impl in enumerate(impls):
            ys = [k + i * h for k in range(n)]
            xs = [r["times_s"][impl] / r["floor_s"] if r["times_s"][impl] else 0 for r in rows]
            ax.barh(ys, xs, height=h, color=colors[impl], label=impl)
        ax.axvline(1.0, color="k", lw=1, ls="--", label="bandwidth floor")
        ax.set_yticks([k + 0.4 - h / 2 for k in range(n)], [r["rule"] for r in rows])
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("time of one step ÷ bandwidth floor (log scale)")
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, fontsize=8)
    s = result["sweep"]
    fig.suptitle(f"optlib benchmark, {result['meta']['date']} UTC — sweep of "
                 f"{s['settings']} learning rates: {s['speedup']:.0f}× faster than a loop",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _size(text):
    return int(float(text))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=_size, default=10_000_000,
                    help="parameters of the torch and NumPy steps (default 1e7)")
    ap.add_argument("--tensors", type=int, default=10, help="torch tensors the parameters are split into")
    ap.add_argument("--repeats", type=int, default=4, help="timed rounds per row (median)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--settings", type=int, default=1000, help="learning rates in the sweep")
    ap.add_argument("--steps", type=int, default=100, help="steps of the sweep")
    ap.add_argument("--no-reference", action="store_true",
                    help="skip optlib's reference rule path (the slowest column)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="where latest.{json,md,png} go")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    import_seconds = start - _T0
    meta = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
                machine=platform.machine(), cpus=os.cpu_count(), load=os.getloadavg()[0],
                torch=torch.__version__, numpy=np.__version__, threads=args.threads,
                repeats=args.repeats, tensors=args.tensors)
    result = dict(meta=meta,
                  sweep=sweep_row(args.settings, args.steps, args.repeats),
                  numpy=numpy_rows(args.size, args.repeats),
                  torch=torch_rows(args.size, args.tensors, args.repeats, not args.no_reference))
    meta["seconds"] = time.perf_counter() - start + import_seconds
    text = markdown(result)
    print(text)
    print(f"(benchmark ran {meta['seconds']:.0f} s)")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    (args.out / "latest.md").write_text(text)
    chart(result, args.out / "latest.png")
    print(f"wrote {args.out / 'latest.json'}, latest.md and latest.png")
