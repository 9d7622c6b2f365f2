"""The conformance suite: every algorithm of the one table (tests/optimizer_table.py) on
every execution path, several steps on several objectives, with a spy that proves the path
under test really ran.

* ``numpy.step`` (the reference rule) against the textbook oracle: several steps, so
  that Yogi is told from Adam (their first steps coincide);
* ``numpy.step_`` (in-place kernels) against ``numpy.step``: bit for bit (numerical
  contract, case 3);
* ``torch.reference`` / ``torch.foreach`` / ``torch.fused`` against ``numpy.step``: to
  round-off (``optlib.numerics.assert_roundoff``);
* ``torch.optim`` as an oracle with optlib's fast path off *and* on;
* first steps by hand, exact ``state_dict`` resume, the defaults of both backends.
"""
from __future__ import annotations

import copy
import inspect
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
import torch

import optlib
import optlib.inplace
import optlib.torch as ot
from optlib import objectives as O
from optlib.numerics import ROUNDOFF_ULPS, assert_roundoff
from optlib.spec import ALGORITHMS
from optlib.torch import kernels as K
from optimizer_table import (CASES, G0, IDS, NUMPY_INPLACE, NUMPY_STEP, PATHS, TABLE,
                             TORCH_FOREACH, TORCH_FUSED, TORCH_REFERENCE, X0, textbook)

STEPS = 12
OBJECTIVES = {                   # (objective, x0): convex and not, 1-D to 5-D
    "ill_conditioned": (O.ill_conditioned, np.array([-5.0, -2.0])),
    "rosenbrock": (O.rosenbrock(1.0, 1.0), np.array([-1.0, 1.0])),
    "x_cos": (O.x_cos(0.15 * np.pi), np.array([4.0])),
    "least_squares": (O.least_squares(np.random.default_rng(0).normal(size=(20, 4)),
                                      np.random.default_rng(1).normal(size=20)),
                      np.array([0.5, -1.0, 2.0, 0.0, 1.0])),
}
ROUNDOFF = ROUNDOFF_ULPS
"""Bound (ulp of the run's scale) for a different path against the reference over STEPS
closed-loop steps: the kernels order their sums differently and each step feeds its
round-off into the next gradient; measured at most 2 ulp on these short, tame runs."""


def make(case):
    return getattr(optlib, case.algorithm)(**case.kw)


def torch_class(case):
    return getattr(ot, ALGORITHMS[case.algorithm].torch_class)


# ------------------------------------------------------------------ spies
@contextmanager
def spy(algorithm, backend, kind):
    """Count the calls of one registered kernel of ``algorithm`` while the block runs."""
    spec = ALGORITHMS[algorithm]
    original = spec.kernel(backend, kind)
    assert original is not None, f"{algorithm} has no {backend} {kind} kernel"
    calls = []

    def counting(fn):
        def wrapper(*args, **kwargs):
            calls.append(1)
            return fn(*args, **kwargs)
        return wrapper

    wrapped = (original._replace(run=counting(original.run)) if isinstance(original, K.Fused)
               else counting(original))
    spec.kernels[backend][kind] = wrapped
    try:
        yield calls
    finally:
        spec.kernels[backend][kind] = original


def spied_kernel(case, path):
    """(backend, kind) of the kernel that ``path`` must run for ``case``."""
    spec = ALGORITHMS[case.algorithm]
    return {NUMPY_STEP: ("numpy", "reference"),
            NUMPY_INPLACE: ("numpy", "inplace" if spec.kernel("numpy", "inplace") else "reference"),
            TORCH_REFERENCE: ("torch", "reference"), TORCH_FOREACH: ("torch", "foreach"),
            TORCH_FUSED: ("torch", "fused")}[path]


# ------------------------------------------------------------------ the paths
def run_numpy(case, objective, x0, steps, inplace=False):
    opt = make(case)
    x = x0.copy()
    state = opt.init(x)
    rows = [x.copy()]
    for _ in range(steps):
        g = objective.grad(x)
        hess = objective.hessian(x) if ALGORITHMS[case.algorithm].needs_hessian else None
        if inplace:
            state = opt.step_(x, g, state, hess=hess)
        else:
            x, state = opt.step(x, g, state, hess=hess)
        rows.append(x.copy())
    return np.stack(rows), state


def _split(x):
    """Two parameter tensors (one for d = 1), so the multi-tensor code sees a list."""
    k = max(1, len(x) // 2)
    return [torch.tensor(part, requires_grad=True) for part in (x[:k], x[k:]) if len(part)]


def run_torch(case, objective, x0, steps, kinds):
    """``kinds``: () runs the reference rule, ("foreach",) or ("fused",) one fast kind."""
    params = _split(x0)
    opt = torch_class(case)(params, **case.kw)
    opt.fast, opt.fast_kinds = bool(kinds), tuple(kinds)
    rows = [x0.copy()]
    for _ in range(steps):
        x = torch.cat([p.detach() for p in params]).numpy()
        g = torch.from_numpy(objective.grad(x))
        sizes = [p.numel() for p in params]
        for p, gp in zip(params, torch.split(g, sizes)):
            p.grad = gp.clone()
        grads = [p.grad.clone() for p in params]
        opt.step()
        assert all(torch.equal(a, p.grad) for a, p in zip(grads, params)), "p.grad was modified"
        rows.append(torch.cat([p.detach() for p in params]).numpy().copy())
    return np.stack(rows), opt


def run(case, path, objective, x0, steps=STEPS):
    if path == NUMPY_STEP:
        return run_numpy(case, objective, x0, steps)[0]
    if path == NUMPY_INPLACE:
        return run_numpy(case, objective, x0, steps, inplace=True)[0]
    kinds = {TORCH_REFERENCE: (), TORCH_FOREACH: ("foreach",), TORCH_FUSED: ("fused",)}[path]
    return run_torch(case, objective, x0, steps, kinds)[0]


PAIRS = [(c.id, p) for c in TABLE for p in c.paths]


@pytest.mark.parametrize("obj", OBJECTIVES)
@pytest.mark.parametrize("case_id,path", PAIRS, ids=[f"{c}-{p}" for c, p in PAIRS])
def test_every_path_computes_the_rule(case_id, path, obj):
    """The path under test runs (spy) and gives the reference rule's iterates."""
    case = CASES[case_id]
    objective, x0 = OBJECTIVES[obj]
    if ALGORITHMS[case.algorithm].needs_hessian and obj == "x_cos":
        x0 = np.array([1.0])                     # a convex region: Newton goes to a minimum
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        reference = run(case, NUMPY_STEP, objective, x0)
        with spy(case.algorithm, *spied_kernel(case, path)) as calls:
            got = run(case, path, objective, x0)
    assert len(calls) == STEPS, f"{path} did not run its kernel at every step ({len(calls)})"
    assert np.all(np.isfinite(reference)), "pick a case that does not diverge"
    if path == NUMPY_STEP:
        np.testing.assert_array_equal(got, reference)          # the same call twice
    elif path == NUMPY_INPLACE:
        np.testing.assert_array_equal(got, reference)          # bit-identical by contract
    else:
        assert_roundoff(got, reference, ulps=ROUNDOFF, err_msg=f"{case_id} {path} on {obj}")


@pytest.mark.parametrize("obj", ["ill_conditioned", "rosenbrock", "least_squares"])
@pytest.mark.parametrize("case_id", IDS)
def test_reference_rule_matches_the_textbook(case_id, obj):
    """Several steps of the reference path against the papers' formulas, written
    independently in optimizer_table.textbook (tells Yogi from Adam, Nesterov from
    heavy ball, coupled from decoupled decay)."""
    case = CASES[case_id]
    objective, x0 = OBJECTIVES[obj]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = run_numpy(case, objective, x0, 8)[0]
        expected = textbook(case, objective, x0, 8)
    assert_roundoff(got, expected, err_msg=f"{case_id} on {obj}")


def test_the_textbook_oracle_tells_yogi_from_adam():
    """Yogi's first step equals Adam's (s_0 = 0); from the second step on they differ."""
    objective, x0 = OBJECTIVES["rosenbrock"]
    kw = dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3)
    yogi = optlib.trajectory(optlib.yogi(**kw), objective, x0, 5)
    adam = optlib.trajectory(optlib.adam(**kw), objective, x0, 5)
    np.testing.assert_array_equal(yogi[1], adam[1])
    assert np.abs(yogi[2:] - adam[2:]).max() > 1e-3
    # and the textbook oracle sees the difference too (so the conformance test can fail)
    case = CASES["yogi_l2"]._replace(kw=kw)
    np.testing.assert_allclose(textbook(case, objective, x0, 5), yogi, rtol=1e-12)
    assert np.abs(textbook(case._replace(algorithm="adam"), objective, x0, 5) - yogi).max() > 1e-3


@pytest.mark.parametrize("case_id", IDS)
def test_first_step_by_hand(case_id):
    case = CASES[case_id]
    opt = make(case)
    hess = 2 * np.eye(2) if ALGORITHMS[case.algorithm].needs_hessian else None
    x1, state = opt.step(X0, G0, opt.init(X0), hess=hess)
    np.testing.assert_allclose(x1, case.first_step, rtol=1e-14, atol=1e-15)
    assert state.t == 1


def test_the_table_covers_every_algorithm_and_path():
    assert {c.algorithm for c in TABLE} == set(ALGORITHMS)
    for name, spec in ALGORITHMS.items():
        paths = {p for c in TABLE if c.algorithm == name for p in c.paths}
        expected = {NUMPY_STEP, NUMPY_INPLACE}
        if spec.torch_class:
            expected |= {TORCH_REFERENCE}
            expected |= {p for p, kind in ((TORCH_FOREACH, "foreach"), (TORCH_FUSED, "fused"))
                         if spec.kernel("torch", kind) is not None}
        assert paths == expected, f"{name}: the table runs {sorted(paths)}"


def test_fused_kernels_are_available():
    """torch >= 2.4 (pyproject.toml) has every fused kernel used; without them the fused
    path would silently never run."""
    assert K.fused_supported()


# ------------------------------------------------------------------ in place, blocked
@pytest.mark.parametrize("case_id", [c.id for c in TABLE if NUMPY_INPLACE in c.paths
                                     and c.algorithm != "newton"])
def test_numpy_inplace_blocks_are_bit_identical(case_id, monkeypatch):
    """Large vectors run block by block (here blocks of 5 of 23 numbers)."""
    monkeypatch.setattr(optlib.inplace, "CHUNK", 5)
    case = CASES[case_id]
    opt = make(case)
    rng = np.random.default_rng(1)
    x = rng.normal(size=23)
    y = x.copy()
    ref, fast = opt.init(x), opt.init(y)
    with spy(case.algorithm, "numpy", "inplace") as calls:
        for g in rng.normal(size=(10, 23)):
            x, ref = opt.step(x, g, ref)
            fast = opt.step_(y, g, fast)
    assert len(calls) == 10 * 5                     # five blocks per step
    np.testing.assert_array_equal(y, x)
    for a, b in zip(ref.rule, fast.rule):
        np.testing.assert_array_equal(b, a)


def test_numpy_inplace_broadcast_schedule_and_keeps_arrays():
    # hyperparameters broadcast over a batch axis (as in sweep) and a schedule as lr
    lrs = np.linspace(0.01, 0.3, 4)[:, None]
    for opt in (optlib.adam(lrs, betas=(0.9, np.array([[.9], [.99], [.999], [.5]]))),
                optlib.sgd(optlib.schedules.cosine(0.3, 0.01, 10), momentum=0.5)):
        x = np.random.default_rng(0).normal(size=(4, 3))
        y = x.copy()
        ref, fast = opt.init(x), opt.init(y)
        arrays = [id(a) for a in fast.rule]
        for g in np.random.default_rng(1).normal(size=(10, 4, 3)):
            x, ref = opt.step(x, g, ref)
            fast = opt.step_(y, g, fast)
        np.testing.assert_array_equal(y, x)
        assert [id(a) for a in fast.rule] == arrays and fast.t == 10


# ------------------------------------------------------------------ torch details
def _net(seed=0, dtype=torch.float64):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(),
                               torch.nn.Linear(16, 3)).to(dtype)


def _train(model, opt, steps, seed=3):
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        X = torch.randn(32, 8, generator=gen, dtype=next(model.parameters()).dtype)
        y = torch.randint(0, 3, (32,), generator=gen)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(X), y).backward()
        opt.step()
    return [p.detach().clone() for p in model.parameters()]


ORACLE = [c for c in TABLE if c.torch_optim]


@pytest.mark.parametrize("fast", [False, True], ids=["rule", "fast"])
@pytest.mark.parametrize("case_id", [c.id for c in ORACLE])
def test_matches_torch_optim(case_id, fast):
    """optlib.torch against torch.optim (for-loop implementation) on a small network,
    with optlib's fast path off and on."""
    case = CASES[case_id]
    name, kw = case.torch_optim
    a, b = _net(), _net()
    ours = torch_class(case)(a.parameters(), **case.kw)
    ours.fast = fast
    pa = _train(a, ours, 20)
    pb = _train(b, getattr(torch.optim, name)(b.parameters(), foreach=False, **kw), 20)
    for x, y in zip(pa, pb):
        torch.testing.assert_close(x, y, rtol=1e-10, atol=1e-12)


def test_param_groups_match_torch_optim():
    a, b = _net(), _net()
    groups = lambda m: [{"params": m[0].parameters(), "lr": 0.1},         # noqa: E731
                        {"params": m[2].parameters(), "lr": 0.01, "momentum": 0.5}]
    pa = _train(a, ot.SGD(groups(a), lr=0.05, momentum=0.9), 10)
    pb = _train(b, torch.optim.SGD(groups(b), lr=0.05, momentum=0.9, foreach=False), 10)
    for x, y in zip(pa, pb):
        torch.testing.assert_close(x, y, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case_id", [c.id for c in TABLE if TORCH_REFERENCE in c.paths])
def test_state_dict_resume_is_exact(case_id):
    case = CASES[case_id]
    cls = torch_class(case)
    ref = _net()
    opt = cls(ref.parameters(), **case.kw)
    _train(ref, opt, 3)
    saved_model = {k: v.clone() for k, v in ref.state_dict().items()}
    saved_opt = copy.deepcopy(opt.state_dict())  # as torch.save would snapshot it
    expected = _train(ref, opt, 4, seed=5)
    resumed = _net(seed=1)
    resumed.load_state_dict(saved_model)
    opt2 = cls(resumed.parameters(), **case.kw)
    opt2.load_state_dict(saved_opt)
    got = _train(resumed, opt2, 4, seed=5)
    for x, y in zip(got, expected):
        assert torch.equal(x, y)


@pytest.mark.parametrize("case_id", ["adam", "adamw", "rmsprop_out_l2", "adagrad_out_l2"])
def test_torch_fast_path_float32(case_id):
    """float32 (the benchmark's dtype): round-off of float32, nothing more."""
    case = CASES[case_id]
    ref, fast = _net(dtype=torch.float32), _net(dtype=torch.float32)
    opt = torch_class(case)(ref.parameters(), **case.kw)
    opt.fast = False
    a = _train(ref, opt, 20)
    b = _train(fast, torch_class(case)(fast.parameters(), **case.kw), 20)
    for x, y in zip(a, b):
        torch.testing.assert_close(y, x, rtol=1e-5, atol=1e-6)


def test_fast_path_falls_back_on_mixed_dtypes():
    """Parameters of two dtypes in one group: no fast kernel applies, the rule runs."""
    a = torch.ones(3, dtype=torch.float64, requires_grad=True)
    b = torch.ones(2, dtype=torch.float32, requires_grad=True)
    opt = ot.Adam([a, b], lr=0.1)
    a.grad, b.grad = torch.full_like(a, 2.0), torch.full_like(b, -1.0)
    with spy("adam", "torch", "reference") as calls:
        opt.step()
    assert calls == [1]
    torch.testing.assert_close(a, torch.full_like(a, 0.9))
    torch.testing.assert_close(b, torch.full_like(b, 1.1))


def test_adagrad_takes_the_foreach_path_where_torch_has_no_fused_kernel(monkeypatch):
    """Off the CPU torch has no fused AdaGrad; forced here on the CPU."""
    monkeypatch.setattr(K, "FUSED_ADAGRAD_DEVICES", ())
    case = CASES["adagrad_out_l2"]
    objective, x0 = OBJECTIVES["least_squares"]
    with spy("adagrad", "torch", "foreach") as calls:
        got, _ = run_torch(case, objective, x0, STEPS, K.FAST_KINDS)
    assert len(calls) == STEPS
    assert_roundoff(got, run(case, NUMPY_STEP, objective, x0), ulps=ROUNDOFF)


# ------------------------------------------------------------------ one specification
@pytest.mark.parametrize("name", [n for n, s in ALGORITHMS.items() if s.torch_class])
def test_numpy_and_torch_defaults_agree(name):
    """One specification gives both backends their defaults (lr may differ: the NumPy
    factories of most rules require it)."""
    spec = ALGORITHMS[name]
    np_sig = inspect.signature(getattr(optlib, name)).parameters
    torch_sig = inspect.signature(getattr(ot, spec.torch_class)).parameters
    assert list(torch_sig)[0] == "params"
    assert set(np_sig) == set(torch_sig) - {"params"}
    for k, p in np_sig.items():
        if k != "lr":
            assert torch_sig[k].default == p.default == spec.defaults()[k], k
    assert torch_sig["lr"].default == spec.defaults("torch")["lr"]


def test_adamw_is_adam_with_decoupled_decay():
    adam, adamw = ALGORITHMS["adam"], ALGORITHMS["adamw"]
    assert adamw.rule is adam.rule and adamw.State is adam.State and adamw.decoupled
    assert not adam.decoupled
    assert adamw.defaults()["weight_decay"] == 1e-2 and adam.defaults()["weight_decay"] == 0.0
    for backend, kind in (("numpy", "inplace"), ("torch", "foreach"), ("torch", "fused")):
        assert adamw.kernel(backend, kind) is adam.kernel(backend, kind)


def test_a_new_kernel_kind_plugs_into_the_specification(monkeypatch):
    """How a further kind (e.g. compiled torch steps) is added: a runner for the kind in
    optlib.torch.kernels.RUNNERS and a kernel in the algorithm's specification
    (optlib.spec.register_kernel); optimizers try it in their fast_kinds order."""
    from optlib.spec import register_kernel
    seen = []

    def runner(spec, kernel, group, params, grads, st, t):
        seen.append(t)
        return K.run_foreach(spec, kernel, group, params, grads, st, t)

    spec = ALGORITHMS["adam"]
    monkeypatch.setitem(K.RUNNERS, "custom", runner)
    monkeypatch.setitem(spec.kernels["torch"], "custom", None)   # removed again afterwards
    register_kernel("adam", "torch", "custom", spec.kernel("torch", "foreach"))
    case = CASES["adam_l2"]
    objective, x0 = OBJECTIVES["least_squares"]
    got, _ = run_torch(case, objective, x0, STEPS, ("custom",))
    assert seen == list(range(STEPS))
    assert_roundoff(got, run(case, NUMPY_STEP, objective, x0), ulps=ROUNDOFF)


def test_an_algorithm_from_one_specification():
    """What 'adding an algorithm' means: a rule and one Algorithm give a checked NumPy
    factory and a torch class with the same defaults, and both backends run the rule."""
    from typing import NamedTuple

    from optlib import rules
    from optlib.core import _factory
    from optlib.spec import Algorithm, Hyper, lr, weight_decay
    from optlib.torch.optimizer import optimizer_class
    from optlib._validate import Real

    class SignState(NamedTuple):
        v: object

    def signum(g, state, t, *, momentum):             # sign of a momentum average
        v = momentum * state.v + (1 - momentum) * g
        return rules.sign(v), SignState(v)

    spec = Algorithm("signum", "Signum: x <- x - eta sign(v).", signum, SignState,
                     (lr(torch=1e-3), Hyper("momentum", 0.9, Real("momentum value", 0, 1)),
                      weight_decay()), torch_class="Signum")
    make, cls = _factory(spec), optimizer_class(spec)
    assert str(inspect.signature(make)) == "(lr, momentum=0.9, weight_decay=0.0)"
    assert str(inspect.signature(cls)) == "(params, lr=0.001, momentum=0.9, weight_decay=0.0)"
    with pytest.raises(ValueError, match="Invalid momentum value: 1.5"):
        make(0.1, momentum=1.5)
    with pytest.raises(ValueError, match="Invalid momentum value: 1.5"):
        cls([torch.zeros(1, requires_grad=True)], momentum=1.5)
    objective, x0 = OBJECTIVES["ill_conditioned"]
    opt = make(0.1, weight_decay=0.01)
    x, state = x0, opt.init(x0)
    p = torch.tensor(x0, requires_grad=True)
    topt = cls([p], lr=0.1, weight_decay=0.01)
    for _ in range(5):
        g = objective.grad(x)
        x, state = opt.step(x, g, state)
        p.grad = torch.from_numpy(objective.grad(p.detach().numpy()))
        topt.step()
    assert_roundoff(p.detach().numpy(), x)
    assert np.abs(x - x0).max() > 0.1
