"""One table, every optimizer: hand-computed first steps, NumPy <-> torch agreement,
torch.optim agreement, exact state_dict resume, sweeps, bad inputs and divergence."""
import copy
import warnings

import numpy as np
import pytest
import torch

import optlib
import optlib.torch as ot
from optlib import objectives as O
from optlib.numerics import assert_roundoff

X0 = np.array([1.0, -2.0])
G0 = 2 * X0  # gradient of the element-wise square at X0


def _adam_first(lr, eps, wd=0.0):
    # v_hat = g and s_hat = g^2 after one step, whatever the betas.
    return X0 - lr * (G0 / (np.abs(G0) + eps) + wd * X0)


# name -> (NumPy factory kwargs, torch class, first step computed by hand)
TABLE = {
    "sgd": (optlib.sgd, dict(lr=0.1), ot.SGD, X0 - 0.1 * G0),
    "momentum": (optlib.sgd, dict(lr=0.1, momentum=0.9), ot.SGD, X0 - 0.1 * G0),
    "nesterov": (optlib.sgd, dict(lr=0.1, momentum=0.9, nesterov=True), ot.SGD,
                 X0 - 0.1 * 1.9 * G0),
    "sgd_l2": (optlib.sgd, dict(lr=0.1, weight_decay=0.5), ot.SGD, X0 - 0.1 * (G0 + 0.5 * X0)),
    "adagrad": (optlib.adagrad, dict(lr=0.4), ot.Adagrad,
                X0 - 0.4 * G0 / np.sqrt(G0 ** 2 + 1e-6)),
    "adagrad_out": (optlib.adagrad, dict(lr=0.4, eps=1e-3, eps_inside_sqrt=False), ot.Adagrad,
                    X0 - 0.4 * G0 / (np.abs(G0) + 1e-3)),
    "rmsprop": (optlib.rmsprop, dict(lr=0.4, alpha=0.9), ot.RMSprop,
                X0 - 0.4 * G0 / np.sqrt(0.1 * G0 ** 2 + 1e-6)),
    "rmsprop_out": (optlib.rmsprop, dict(lr=0.4, alpha=0.99, eps=1e-3, eps_inside_sqrt=False),
                    ot.RMSprop, X0 - 0.4 * G0 / (np.sqrt(0.01 * G0 ** 2) + 1e-3)),
    "adadelta": (optlib.adadelta, dict(rho=0.9), ot.Adadelta,
                 X0 - np.sqrt(1e-5) / np.sqrt(0.1 * G0 ** 2 + 1e-5) * G0),
    "adam": (optlib.adam, dict(lr=0.1), ot.Adam, _adam_first(0.1, 1e-8)),
    "adamw": (optlib.adamw, dict(lr=0.1, weight_decay=0.1), ot.AdamW,
              _adam_first(0.1, 1e-8, wd=0.1)),
    "yogi": (optlib.yogi, dict(lr=0.1), ot.Yogi, _adam_first(0.1, 1e-3)),
}
IDS = list(TABLE)


@pytest.mark.parametrize("name", IDS)
def test_first_step_by_hand(name):
    make, kw, _, expected = TABLE[name]
    opt = make(**kw)
    x1, state = opt.step(X0, G0, opt.init(X0))
    np.testing.assert_allclose(x1, expected, rtol=1e-14, atol=1e-15)
    assert state.t == 1


def _gradients(steps, shape=(3, 2), seed=0):
    return np.random.default_rng(seed).normal(size=(steps, *shape)) * np.array([[1.0, 3.0]])


@pytest.mark.parametrize("name", IDS)
def test_numpy_and_torch_backends_agree(name):
    """The same gradients fed to both backends give the same iterates (float64)."""
    make, kw, cls, _ = TABLE[name]
    grads = _gradients(25)
    x = np.ones((3, 2))
    opt = make(**kw)
    state = opt.init(x)
    p = torch.ones(3, 2, dtype=torch.float64, requires_grad=True)
    topt = cls([p], **kw)
    for g in grads:
        x, state = opt.step(x, g, state)
        p.grad = torch.from_numpy(g.copy())
        topt.step()
        np.testing.assert_allclose(p.detach().numpy(), x, rtol=1e-13, atol=1e-14)


# optlib.torch with torch's conventions vs torch.optim itself, on a small real network.
TORCH_ORACLE = [
    (ot.SGD, torch.optim.SGD, dict(lr=0.05)),
    (ot.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, weight_decay=1e-3)),
    (ot.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (ot.Adagrad, torch.optim.Adagrad, dict(lr=0.05, eps=1e-10, eps_inside_sqrt=False)),
    (ot.RMSprop, torch.optim.RMSprop, dict(lr=1e-3, alpha=0.99, eps=1e-8, eps_inside_sqrt=False)),
    (ot.Adadelta, torch.optim.Adadelta, dict(lr=1.0, rho=0.9, eps=1e-6)),
    (ot.Adam, torch.optim.Adam, dict(lr=1e-2)),
    (ot.Adam, torch.optim.Adam, dict(lr=1e-2, betas=(0.8, 0.99), weight_decay=1e-2)),
    (ot.AdamW, torch.optim.AdamW, dict(lr=1e-2, weight_decay=1e-2)),
]


def _net(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.Tanh(),
                               torch.nn.Linear(32, 10)).double()


@pytest.fixture(scope="module")
def digits():
    d = optlib.data.digits()
    return torch.from_numpy(d.X_train[:256]).double(), torch.from_numpy(d.y_train[:256])


def _train(model, opt, data, steps, groups_lr=None):
    X, y = data
    for i in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(X[i * 16 % 256:][:64]), y[i * 16 % 256:][:64]).backward()
        opt.step()
    return [p.detach().clone() for p in model.parameters()]


def _strip(kw):
    return {k: v for k, v in kw.items() if k != "eps_inside_sqrt"}


@pytest.mark.parametrize("ours,theirs,kw", TORCH_ORACLE,
                         ids=[f"{o.__name__}-{i}" for i, (o, _, _) in enumerate(TORCH_ORACLE)])
def test_matches_torch_optim(ours, theirs, kw, digits):
    a = _net()
    b = _net()
    pa = _train(a, ours(a.parameters(), **kw), digits, 30)
    pb = _train(b, theirs(b.parameters(), foreach=False, **_strip(kw)), digits, 30)
    for x, y in zip(pa, pb):
        torch.testing.assert_close(x, y, rtol=1e-10, atol=1e-12)


def test_param_groups_match_torch_optim(digits):
    a, b = _net(), _net()
    groups = lambda m: [{"params": m[0].parameters(), "lr": 0.1},
                        {"params": m[2].parameters(), "lr": 0.01, "momentum": 0.5}]
    pa = _train(a, ot.SGD(groups(a), lr=0.05, momentum=0.9), digits, 10)
    pb = _train(b, torch.optim.SGD(groups(b), lr=0.05, momentum=0.9), digits, 10)
    for x, y in zip(pa, pb):
        torch.testing.assert_close(x, y, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", IDS)
def test_state_dict_resume_is_exact(name, digits):
    _, kw, cls, _ = TABLE[name]
    ref = _net()
    opt = cls(ref.parameters(), **kw)
    _train(ref, opt, digits, 3)
    saved_model = {k: v.clone() for k, v in ref.state_dict().items()}
    saved_opt = copy.deepcopy(opt.state_dict())  # as torch.save would snapshot it
    expected = _train(ref, opt, digits, 4)

    resumed = _net(seed=1)
    resumed.load_state_dict(saved_model)
    opt2 = cls(resumed.parameters(), **kw)
    opt2.load_state_dict(saved_opt)
    got = _train(resumed, opt2, digits, 4)
    for x, y in zip(got, expected):
        assert torch.equal(x, y)


# --------------------------------------------------------------- the classic numbers
@pytest.mark.parametrize("lr,factor", [(0.2, 0.6), (0.05, 0.9)])
def test_gd_on_square_classic_numbers(lr, factor):
    traj = optlib.trajectory(optlib.sgd(lr), O.square, 10.0, 10)
    assert traj.shape == (11, 1)
    np.testing.assert_allclose(traj[-1, 0], 10 * factor ** 10, rtol=1e-12)
    np.testing.assert_allclose(traj[:, 0], 10 * factor ** np.arange(11), rtol=1e-12)


def test_gd_2d_classic_numbers():
    traj = optlib.trajectory(optlib.sgd(0.1), O.quadratic(1, 2), (-5, -2), 20)
    # x1 shrinks by (1 - 2*0.1), x2 by (1 - 4*0.1) per step
    np.testing.assert_allclose(traj[-1], [-5 * 0.8 ** 20, -2 * 0.6 ** 20], rtol=1e-12)


def test_ill_conditioned_gd_numbers():
    traj = optlib.trajectory(optlib.sgd(0.4), O.ill_conditioned, (-5, -2), 20)
    np.testing.assert_allclose(traj[-1], [-0.943467, -0.000073], atol=5e-7)


def test_newton_solves_a_quadratic_in_one_step():
    traj = optlib.trajectory(optlib.newton(), O.quadratic(0.1, 2), (-5, -2), 1)
    np.testing.assert_allclose(traj[-1], [0, 0], atol=1e-15)
    diag = optlib.trajectory(optlib.newton(diagonal=True), O.quadratic(0.1, 2), (-5, -2), 1)
    np.testing.assert_allclose(diag[-1], [0, 0], atol=1e-15)


def test_schedule_as_learning_rate():
    sched = optlib.schedules.exponential(0.2, 0.1)
    traj = optlib.trajectory(optlib.sgd(sched), O.square, 1.0, 3)
    expected = [1.0]
    for t in range(3):
        expected.append(expected[-1] * (1 - 2 * sched(t)))
    np.testing.assert_allclose(traj[:, 0], expected, rtol=1e-14)


def test_noise_is_seeded():
    run = lambda seed: optlib.trajectory(optlib.sgd(0.1), O.quadratic(1, 2), (-5, -2), 30,
                                         noise=1.0, seed=seed)
    np.testing.assert_array_equal(run(3), run(3))
    assert not np.allclose(run(3), run(4))
    assert not np.allclose(run(3), optlib.trajectory(optlib.sgd(0.1), O.quadratic(1, 2),
                                                     (-5, -2), 30))


# ------------------------------------------------------------------------- sweeps
@pytest.mark.parametrize("name", IDS)
def test_sweep_equals_loop(name):
    make, kw, _, _ = TABLE[name]
    lrs = np.linspace(0.01, 0.5, 7)
    swept = optlib.sweep(make, O.rosenbrock(), (-1.0, 1.0), 15, **{**kw, "lr": lrs})
    assert swept.shape == (7, 16, 2)
    for lr, rows in zip(lrs, swept):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optlib.DivergenceWarning)
            loop = optlib.trajectory(make(**{**kw, "lr": lr}), O.rosenbrock(), (-1.0, 1.0), 15)
        assert_roundoff(rows[:len(loop)], loop, err_msg=f"{name}, lr={lr}")


def test_sweep_two_hyperparameters_and_betas():
    mom = np.array([0.0, 0.5, 0.9])
    swept = optlib.sweep(optlib.sgd, O.ill_conditioned, (-5, -2), 10, lr=0.4, momentum=mom)
    for m, rows in zip(mom, swept):
        assert_roundoff(
            rows, optlib.trajectory(optlib.sgd(0.4, momentum=m), O.ill_conditioned, (-5, -2), 10))
    b2 = np.array([0.99, 0.999])
    swept = optlib.sweep(optlib.adam, O.ill_conditioned, (-5, -2), 10, lr=0.1, betas=(0.9, b2))
    for b, rows in zip(b2, swept):   # betas as arrays: NumPy's SIMD power vs the scalar pow
        assert_roundoff(
            rows, optlib.trajectory(optlib.adam(0.1, betas=(0.9, b)), O.ill_conditioned, (-5, -2), 10))
    with pytest.raises(ValueError, match="one length"):
        optlib.sweep(optlib.sgd, O.square, 1.0, 3, lr=np.ones(2), momentum=np.ones(3) / 2)


# -------------------------------------------------------------------- bad inputs
BAD = [
    (dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
    (dict(lr=0.1, weight_decay=-1.0), "Invalid weight_decay value: -1"),
]
BAD_OTHER = [
    (optlib.adagrad, ot.Adagrad, dict(lr=0.1, eps=-1e-6), "Invalid epsilon value: -1e-06"),
    (optlib.rmsprop, ot.RMSprop, dict(lr=0.1, alpha=1.5), "Invalid alpha value: 1.5"),
    (optlib.adadelta, ot.Adadelta, dict(rho=-0.1), "Invalid rho value: -0.1"),
    (optlib.adam, ot.Adam, dict(lr=0.1, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1"),
    (optlib.adam, ot.Adam, dict(lr=0.1, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (optlib.adamw, ot.AdamW, dict(lr=-1.0), "Invalid learning rate: -1"),
]


@pytest.mark.parametrize("kw,msg", BAD)
def test_bad_sgd_hyperparameters(kw, msg):
    with pytest.raises(ValueError, match=msg):
        optlib.sgd(**kw)
    with pytest.raises(ValueError, match=msg):
        ot.SGD([torch.zeros(1, requires_grad=True)], **kw)


@pytest.mark.parametrize("make,cls,kw,msg", BAD_OTHER)
def test_bad_hyperparameters(make, cls, kw, msg):
    with pytest.raises(ValueError, match=msg.replace("(", r"\(")):
        make(**kw)
    with pytest.raises(ValueError, match=msg.replace("(", r"\(")):
        cls([torch.zeros(1, requires_grad=True)], **kw)


def test_bad_swept_value_is_reported():
    with pytest.raises(ValueError, match="Invalid learning rate: -0.2"):
        optlib.sweep(optlib.sgd, O.square, 1.0, 3, lr=np.array([0.1, -0.2]))


def test_torch_rejects_schedule_as_lr():
    with pytest.raises(TypeError, match="ScheduledLR"):
        ot.SGD([torch.zeros(1, requires_grad=True)], lr=optlib.schedules.constant(0.1))


# -------------------------------------------------------------------- divergence
def test_divergence_warns_once_and_stops():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        traj = optlib.trajectory(optlib.sgd(1.1), O.square, 10.0, 5000)
    assert [w.category for w in caught] == [optlib.DivergenceWarning]
    msg = str(caught[0].message)
    assert "diverged at step" in msg
    step = int(msg.split("diverged at step ")[1].split(":")[0])
    assert len(traj) == step and np.all(np.isfinite(traj))
    # the finite part is the exact geometric sequence x_t = 10 (-1.2)^t
    np.testing.assert_allclose(traj[:50, 0], 10 * (-1.2) ** np.arange(50), rtol=1e-12)


def test_no_warning_when_converging():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optlib.trajectory(optlib.adam(0.1), O.rosenbrock(), (-1, 1), 200)


# ------------------------------------------------------------------------- devices
def test_device_follows_availability():
    assert ot.device().type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
@pytest.mark.parametrize("name", IDS)
def test_cuda_matches_cpu(name):  # pragma: no cover - needs a GPU
    _, kw, cls, _ = TABLE[name]
    grads = _gradients(5)
    out = []
    for dev in ("cpu", "cuda"):
        p = torch.ones(3, 2, dtype=torch.float64, device=dev, requires_grad=True)
        opt = cls([p], **kw)
        for g in grads:
            p.grad = torch.from_numpy(g.copy()).to(dev)
            opt.step()
        out.append(p.detach().cpu())
    torch.testing.assert_close(out[0], out[1])
