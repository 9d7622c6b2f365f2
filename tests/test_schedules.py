"""Every schedule against its closed form, scalar and vectorized, and ScheduledLR in torch."""
import math

import numpy as np
import pytest
import torch

import optlib.torch as ot
from optlib import schedules as S


def cos_formula(t, lr0, final, T, w=0, start=0.0):
    if t < w:
        return start + (lr0 - start) * t / w
    if t > T:
        return final
    return final + (lr0 - final) * (1 + math.cos(math.pi * (t - w) / (T - w))) / 2


# (schedule, closed form written out independently)
TABLE = [
    (S.constant(0.3), lambda t: 0.3),
    (S.factor(2.0, 0.9, min_lr=0.01), lambda t: max(0.01, 2.0 * 0.9 ** t)),
    (S.multi_factor(0.5, [15, 30], 0.5), lambda t: 0.5 * 0.5 ** ((t >= 15) + (t >= 30))),
    (S.piecewise_constant([5, 10], [1.0, 0.1, 0.01]),
     lambda t: 1.0 if t < 5 else (0.1 if t < 10 else 0.01)),
    (S.exponential(0.1, 0.1), lambda t: 0.1 * math.exp(-0.1 * t)),
    (S.polynomial(0.1, 0.1, 0.5), lambda t: 0.1 * (0.1 * t + 1) ** -0.5),
    (S.cosine(0.3, 0.01, 20), lambda t: cos_formula(t, 0.3, 0.01, 20)),
    (S.cosine(0.3, 0.01, 20, warmup_steps=5),
     lambda t: cos_formula(t, 0.3, 0.01, 20, 5)),
    (S.cosine(0.3, 0.01, 20, warmup_steps=5, warmup_start_lr=0.05),
     lambda t: cos_formula(t, 0.3, 0.01, 20, 5, 0.05)),
]
IDS = [repr(s)[:40] for s, _ in TABLE]


@pytest.mark.parametrize("sched,formula", TABLE, ids=IDS)
def test_scalar_matches_formula(sched, formula):
    for t in range(60):
        value = sched(t)
        assert isinstance(value, float)
        assert value == pytest.approx(formula(t), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("sched,formula", TABLE, ids=IDS)
def test_vectorized_matches_scalar(sched, formula):
    t = np.arange(60)
    values = sched(t)
    assert values.shape == (60,)
    # One code path by construction (the array is evaluated through the scalar code), so
    # bit for bit on every CPU: the second SIMD dispatch of the CI checks it.
    np.testing.assert_array_equal(values, [sched(int(i)) for i in t])
    np.testing.assert_array_equal(sched(t.reshape(6, 10)), values.reshape(6, 10))


def test_cosine_decreases_from_lr0_to_final_lr():
    """The source's (1 - cos) would make the rate rise; the schedule must fall."""
    rates = S.cosine(0.3, 0.01, 20)(np.arange(21))
    assert rates[0] == pytest.approx(0.3) and rates[20] == pytest.approx(0.01)
    assert np.all(np.diff(rates) < 0)


def test_warmup_rises_linearly_then_decays():
    rates = S.cosine(0.3, 0.01, 20, warmup_steps=5)(np.arange(25))
    np.testing.assert_allclose(rates[:6], 0.3 * np.arange(6) / 5)
    assert np.all(np.diff(rates[5:21]) < 0) and np.all(rates[20:] == 0.01)


def test_factor_hits_floor():
    assert S.factor(2.0, 0.9, min_lr=0.01)(200) == 0.01


@pytest.mark.parametrize("bad", [-1, 1.5])
def test_bad_update_index(bad):
    with pytest.raises((ValueError, TypeError)):
        S.constant(0.1)(bad)


def test_bad_schedule_arguments():
    with pytest.raises(ValueError):
        S.piecewise_constant([1, 2], [0.1])
    with pytest.raises(ValueError):
        S.cosine(0.1, 0.0, 10, warmup_steps=10)


# --------------------------------------------------------------------- ScheduledLR
def _lrs(opt, sched, steps):
    seen = []
    for _ in range(steps):
        seen.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    return seen


@pytest.mark.parametrize("sched,formula", TABLE, ids=IDS)
def test_scheduled_lr_sets_rate_of_update_t(sched, formula):
    p = torch.zeros(2, requires_grad=True)
    p.grad = torch.ones(2)
    opt = ot.SGD([p], lr=123.0)
    seen = _lrs(opt, ot.ScheduledLR(opt, sched), 40)
    assert [s[0] for s in seen] == [sched(t) for t in range(40)]


def test_scheduled_lr_agrees_with_torch_schedulers():
    def run(make):
        p = torch.zeros(1, requires_grad=True)
        p.grad = torch.ones(1)
        opt = torch.optim.SGD([p], lr=0.5)
        return [s[0] for s in _lrs(opt, make(opt), 40)]

    ours = run(lambda o: ot.ScheduledLR(o, S.multi_factor(0.5, [15, 30], 0.5)))
    theirs = run(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [15, 30], 0.5))
    np.testing.assert_allclose(ours, theirs, rtol=1e-15)
    ours = run(lambda o: ot.ScheduledLR(o, S.factor(0.5, 0.9)))
    theirs = run(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    ours = run(lambda o: ot.ScheduledLR(o, S.cosine(0.5, 0.0, 20)))
    theirs = run(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 20, 0.0))
    np.testing.assert_allclose(ours[:21], theirs[:21], rtol=1e-10, atol=1e-15)


def test_scheduled_lr_one_schedule_per_group_and_resume():
    a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    a.grad, b.grad = torch.ones(1), torch.ones(1)
    opt = ot.SGD([{"params": [a]}, {"params": [b]}], lr=1.0)
    sched = ot.ScheduledLR(opt, [S.constant(0.1), S.exponential(1.0, 0.5)])
    seen = _lrs(opt, sched, 5)
    assert seen[3] == [0.1, math.exp(-1.5)]
    state = sched.state_dict()
    opt2 = ot.SGD([{"params": [a]}, {"params": [b]}], lr=1.0)
    sched2 = ot.ScheduledLR(opt2, [S.constant(0.1), S.exponential(1.0, 0.5)])
    sched2.load_state_dict(state)
    sched2.step()
    assert opt2.param_groups[1]["lr"] == pytest.approx(math.exp(-3.0))
    with pytest.raises(ValueError, match="one per parameter group"):
        ot.ScheduledLR(opt, [S.constant(0.1)])
