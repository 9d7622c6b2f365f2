"""Inputs are checked at the door, with torch's wording: optimizers of both backends (every
hyperparameter of every specification), param groups, add_param_group, load_state_dict,
the learning rate at every step, schedules (every argument and every rate they produce),
ScheduledLR, runs, and complex parameters (refused with a TypeError).  Sliders:
tests/test_interactive.py; fit: tests/test_training.py."""
import math

import numpy as np
import pytest
import torch

import optlib
import optlib.torch as ot
from optlib import objectives as O
from optlib import schedules as S
from optlib._validate import Flag, Pair, Real
from optlib.spec import ALGORITHMS


def _param():
    return torch.zeros(2, dtype=torch.float64, requires_grad=True)


def _make_both(name, kw):
    """Yield a callable per backend that builds ``name`` with ``kw``."""
    spec = ALGORITHMS[name]
    required = {} if "lr" in spec.defaults() or "lr" in kw else {"lr": 0.1}
    yield lambda: getattr(optlib, name)(**{**required, **kw})
    if spec.torch_class:
        yield lambda: getattr(ot, spec.torch_class)([_param()], **kw)


# ------------------------------------------------------------ every hyperparameter
def _bad_values(hyper):
    """(value, error type) that the check of ``hyper`` must refuse."""
    check = hyper.check
    if isinstance(check, Flag):
        return [(1, TypeError), ("yes", TypeError), (None, TypeError)]
    if isinstance(check, Pair):
        return [(0.9, TypeError), ("ab", TypeError), ((0.9,), ValueError),
                ((0.9, 0.99, 0.999), ValueError), ((0.9, "0.99"), TypeError),
                ((1.0, 0.999), ValueError), ((0.9, -0.1), ValueError),
                ((0.9, float("nan")), ValueError)]
    assert isinstance(check, Real)
    bad = [("0.1", TypeError), (None, TypeError), (True, TypeError), (0.1 + 0j, TypeError),
           (float("nan"), ValueError), (float("inf"), ValueError),
           (-float("inf"), ValueError), (check.low - 0.5, ValueError)]
    if check.low_open:
        bad.append((check.low, ValueError))
    if check.high != math.inf:
        bad.append((check.high + 0.5, ValueError))
        if check.high_open:
            bad.append((check.high, ValueError))
    return bad


BAD = [(name, h.name, value, error) for name, spec in ALGORITHMS.items() for h in spec.hyper
       for value, error in _bad_values(h)]


@pytest.mark.parametrize("name,hyper,value,error", BAD,
                         ids=[f"{n}-{h}={v!r}" for n, h, v, _ in BAD])
def test_every_hyperparameter_is_checked_in_both_backends(name, hyper, value, error):
    for make in _make_both(name, {hyper: value}):
        with pytest.raises(error, match="Invalid"):
            make()


# torch's own wording for the classic mistakes
MESSAGES = [
    ("sgd", dict(lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    ("sgd", dict(lr=0.1, momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
    ("sgd", dict(lr=0.1, nesterov=True), ValueError, "Nesterov momentum requires a momentum"),
    ("sgd", dict(lr=0.1, weight_decay=-1.0), ValueError, "Invalid weight_decay value: -1.0"),
    ("adagrad", dict(lr=0.1, eps=-1e-6), ValueError, "Invalid epsilon value: -1e-06"),
    ("adagrad", dict(lr=0.1, eps=0.0), ValueError, "Invalid epsilon value: 0.0"),
    ("rmsprop", dict(lr=0.1, alpha=1.5), ValueError, "Invalid alpha value: 1.5"),
    ("adadelta", dict(rho=-0.1), ValueError, "Invalid rho value: -0.1"),
    ("adam", dict(lr=0.1, betas=(1.0, 0.999)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    ("adam", dict(lr=0.1, betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1: -0.1"),
    ("adam", dict(lr=0.1, betas=0.9), TypeError, "Invalid betas: 0.9"),
    ("adamw", dict(lr=-1.0), ValueError, "Invalid learning rate: -1.0"),
    ("sgd", dict(lr="0.1"), TypeError, "Invalid learning rate: '0.1'"),
    ("sgd", dict(lr=None), TypeError, "Invalid learning rate: None"),
    ("sgd", dict(lr=True), TypeError, "Invalid learning rate: True"),
    ("sgd", dict(lr=math.inf), ValueError, "Invalid learning rate: inf"),
    ("sgd", dict(lr=0.1, momentum=None), TypeError, "Invalid momentum value: None"),
    ("adam", dict(lr=0.1, eps="1e-8"), TypeError, "Invalid epsilon value: '1e-8'"),
]


@pytest.mark.parametrize("name,kw,error,msg", MESSAGES)
def test_torch_wording(name, kw, error, msg):
    for make in _make_both(name, kw):
        with pytest.raises(error, match=msg.replace("(", r"\(").replace(")", r"\)")):
            make()


def test_zero_learning_rate_is_allowed():
    x = np.array([1.0, -2.0])
    opt = optlib.sgd(0)
    assert np.array_equal(opt.step(x, x, opt.init(x))[0], x)
    ot.Adam([_param()], lr=0.0)


def test_bad_swept_value_is_reported():
    with pytest.raises(ValueError, match="Invalid learning rate: -0.2"):
        optlib.sweep(optlib.sgd, O.square, 1.0, 3, lr=np.array([0.1, -0.2]))
    with pytest.raises(TypeError, match="Invalid learning rate"):
        optlib.sweep(optlib.sgd, O.square, 1.0, 3, lr=np.array(["0.1", "0.2"]))
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        optlib.sweep(optlib.adam, O.square, 1.0, 3, lr=0.1, betas=(0.9, np.array([0.9, 1.0])))


def test_a_schedule_that_produces_a_negative_rate_stops_the_run():
    with pytest.raises(ValueError, match=r"Invalid learning rate: -0.1 .*update t = 0"):
        optlib.trajectory(optlib.sgd(lambda t: -0.1), O.square, 1.0, 3)
    with pytest.raises(ValueError, match="Invalid learning rate: nan"):
        optlib.trajectory(optlib.sgd(lambda t: math.nan), O.square, 1.0, 3)


def test_torch_rejects_a_schedule_as_lr():
    with pytest.raises(TypeError, match="ScheduledLR"):
        ot.SGD([_param()], lr=S.constant(0.1))


def test_runs_check_their_arguments():
    for bad, error in ((-1, ValueError), (2.5, TypeError), ("3", TypeError)):
        with pytest.raises(error, match="number of steps"):
            optlib.trajectory(optlib.sgd(0.1), O.square, 1.0, bad)
        with pytest.raises(error, match="number of steps"):
            optlib.sweep(optlib.sgd, O.square, 1.0, bad, lr=np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="Invalid noise"):
        optlib.trajectory(optlib.sgd(0.1), O.square, 1.0, 3, noise=-1.0)


# ------------------------------------------------------------ param groups, state dicts
def test_param_group_dicts_are_checked():
    q = _param()
    with pytest.raises(ValueError, match=r"Invalid learning rate: -1.0 \(.*\) \(in a param group\)"):
        ot.SGD([{"params": [q], "lr": -1.0}], lr=0.1)
    with pytest.raises(TypeError, match="Invalid betas"):
        ot.Adam([{"params": [q], "betas": 0.9}])
    with pytest.raises(ValueError, match="Nesterov"):
        ot.SGD([{"params": [q], "nesterov": True}], lr=0.1)   # default momentum 0


def test_add_param_group_is_checked():
    opt = ot.SGD([_param()], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="Invalid momentum value: -1.0"):
        opt.add_param_group({"params": [_param()], "momentum": -1.0})
    with pytest.raises(TypeError, match="Invalid learning rate"):
        opt.add_param_group({"params": [_param()], "lr": "0.1"})
    assert len(opt.param_groups) == 1
    opt.add_param_group({"params": [_param()], "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0.9


def test_load_state_dict_is_checked():
    p = _param()
    opt = ot.Adam([p], lr=0.1)
    p.grad = torch.ones_like(p)
    opt.step()
    saved = opt.state_dict()
    saved["param_groups"][0]["betas"] = (1.5, 0.999)
    fresh = ot.Adam([p], lr=0.1)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0: 1.5"):
        fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["betas"] == (0.9, 0.999) and not fresh.state


def test_the_learning_rate_is_checked_at_every_step():
    """A group's lr changed by hand or by any scheduler (here torch's LambdaLR going
    negative) never runs gradient ascent."""
    p = _param()
    p.grad = torch.ones_like(p)
    opt = ot.SGD([p], lr=0.1)
    opt.param_groups[0]["lr"] = -0.1
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        opt.step()
    opt = ot.SGD([p], lr=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 - e)
    opt.step()
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        opt.step()
    assert torch.equal(p.detach(), torch.full_like(p, -0.1))   # only the first step ran


def test_scheduled_lr_checks_schedules_and_their_rates():
    p = _param()
    p.grad = torch.ones_like(p)
    opt = ot.SGD([p], lr=0.1)
    with pytest.raises(TypeError, match="Invalid schedule"):
        ot.ScheduledLR(opt, 0.1)
    with pytest.raises(ValueError, match=r"Invalid learning rate: -0.5 .*at t = 0"):
        ot.ScheduledLR(opt, lambda t: -0.5)
    sched = ot.ScheduledLR(opt, lambda t: 0.1 - 0.1 * t)
    opt.step()
    sched.step()
    opt.step()
    with pytest.raises(ValueError, match=r"Invalid learning rate: -0.1 .*at t = 2"):
        sched.step()


# ------------------------------------------------------------ complex numbers: refused
@pytest.mark.parametrize("name", list(ALGORITHMS))
def test_complex_parameters_are_refused(name):
    """The rules square gradients with g * g, not |g|^2: complex numbers would give
    silently wrong updates (and Yogi's sign has no meaning), so both backends refuse them."""
    spec = ALGORITHMS[name]
    opt = getattr(optlib, name)(**({} if "lr" in spec.defaults() else {"lr": 0.1}))
    z = np.array([1 + 1j, 2 - 1j])
    with pytest.raises(TypeError, match="complex"):
        opt.init(z)
    with pytest.raises(TypeError, match="complex"):
        opt.step(np.ones(2), z, opt.init(np.ones(2)), hess=np.eye(2))
    with pytest.raises(TypeError, match="complex"):
        opt.step_(np.ones(2), z, opt.init(np.ones(2)), hess=np.eye(2))
    if spec.torch_class:
        q = torch.zeros(2, dtype=torch.complex128, requires_grad=True)
        with pytest.raises(TypeError, match="complex"):
            getattr(ot, spec.torch_class)([q])
        opt = getattr(ot, spec.torch_class)([_param()])
        with pytest.raises(TypeError, match="complex"):
            opt.add_param_group({"params": [q]})


def test_complex_start_is_refused():
    with pytest.raises(TypeError, match="complex"):
        optlib.trajectory(optlib.sgd(0.1), O.square, 1 + 1j, 3)


# ------------------------------------------------------------ schedules
SCHEDULES_BAD = [
    (lambda: S.constant(-1), ValueError, "Invalid lr value: -1"),
    (lambda: S.constant("0.1"), TypeError, "Invalid lr value"),
    (lambda: S.constant(None), TypeError, "Invalid lr value"),
    (lambda: S.constant(math.inf), ValueError, "Invalid lr value: inf"),
    (lambda: S.factor(-1, 0.9), ValueError, "Invalid lr0 value: -1"),
    (lambda: S.factor(1, -0.5), ValueError, "Invalid factor value: -0.5"),
    (lambda: S.factor(1, 0.9, min_lr=-0.1), ValueError, "Invalid min_lr value"),
    (lambda: S.exponential(1, -0.1), ValueError, "Invalid decay value: -0.1"),
    (lambda: S.polynomial(1, -1, 0.5), ValueError, "Invalid beta value: -1"),
    (lambda: S.polynomial(1, 1, -0.5), ValueError, "Invalid alpha value: -0.5"),
    (lambda: S.multi_factor(1, 5, 0.5), TypeError, "Invalid steps: 5"),
    (lambda: S.multi_factor(1, [5, 3], 0.5), ValueError, "strictly increasing"),
    (lambda: S.multi_factor(1, [5.5], 0.5), TypeError, "Invalid steps entry"),
    (lambda: S.multi_factor(1, [-1], 0.5), ValueError, "Invalid steps entry"),
    (lambda: S.multi_factor(1, [5], -0.5), ValueError, "Invalid factor value"),
    (lambda: S.piecewise_constant([1, 2], [0.1]), ValueError, "one more value"),
    (lambda: S.piecewise_constant([2, 1], [1, 1, 1]), ValueError, "strictly increasing"),
    (lambda: S.piecewise_constant([1, 1], [1, 1, 1]), ValueError, "strictly increasing"),
    (lambda: S.piecewise_constant([1], [0.1, -0.1]), ValueError, r"Invalid values\[1\] value"),
    (lambda: S.piecewise_constant([1.5], [0.1, 0.2]), TypeError, "boundaries entry"),
    (lambda: S.piecewise_constant("ab", [0.1, 0.2, 0.3]), TypeError, "Invalid boundaries"),
    (lambda: S.cosine(0.1, 0.0, 10, warmup_steps=10), ValueError,
     "got warmup_steps=10, total_steps=10"),
    (lambda: S.cosine(0.1, 0.0, 0), ValueError, "Invalid total_steps: 0"),
    (lambda: S.cosine(0.1, 0.0, 10.0), TypeError, "Invalid total_steps"),
    (lambda: S.cosine(0.1, -0.01, 10), ValueError, "Invalid final_lr value"),
    (lambda: S.cosine(0.1, 0.0, 10, warmup_steps=-1), ValueError, "Invalid warmup_steps"),
    (lambda: S.cosine(0.1, 0.0, 10, warmup_start_lr=-1), ValueError, "Invalid warmup_start_lr"),
]


@pytest.mark.parametrize("make,error,msg", SCHEDULES_BAD,
                         ids=[str(i) for i in range(len(SCHEDULES_BAD))])
def test_every_schedule_argument_is_checked(make, error, msg):
    with pytest.raises(error, match=msg):
        make()


def test_schedules_keep_integer_indices_and_tuples():
    s = S.piecewise_constant(np.array([5, 10]), [1, 0.1, 0.01])
    assert s.boundaries == (5, 10) and all(type(b) is int for b in s.boundaries)
    assert s.values == (1.0, 0.1, 0.01) and s(7) == 0.1
    m = S.multi_factor(0.5, np.array([15, 30]), 0.5)
    assert m.steps == (15, 30) and all(type(b) is int for b in m.steps)
    hash(s), hash(m)                                # frozen and hashable


def test_a_schedule_never_produces_a_negative_or_infinite_rate():
    class Broken(S.Schedule):
        def rate(self, t):
            return 0.1 - 0.05 * t

    with pytest.raises(ValueError, match=r"produced the learning rate -0.05\d* at t = 3"):
        Broken()(np.arange(5))
    with pytest.raises(ValueError, match="produced the learning rate inf"):
        S.factor(1.0, 2.0)(2000)                    # overflows
    with pytest.raises(TypeError, match="integer update index"):
        S.constant(0.1)(True)
