"""optlib.objectives.least_squares, optlib.minibatch_trajectory and training.batch_order:
exact derivatives, unbiased per-example gradients, the stable-step bound, and the NumPy
minibatch loop against a torch.optim run of optlib.training.fit (same numbers)."""
import warnings

import numpy as np
import pytest
import torch

import optlib
from optlib import objectives as O
from optlib.training import batch_order, fit

rng = np.random.default_rng(0)
X = rng.normal(size=(37, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=37)


@pytest.mark.parametrize("bias", [True, False])
def test_gradient_and_hessian_are_exact(bias):
    f = O.least_squares(X, Y, bias=bias)
    w = rng.normal(size=f.dim)
    eps = 1e-6
    fd = [(f(w + eps * e) - f(w - eps * e)) / (2 * eps) for e in np.eye(f.dim)]
    np.testing.assert_allclose(f.grad(w), fd, rtol=1e-7, atol=1e-8)
    fd_h = [(f.grad(w + eps * e) - f.grad(w - eps * e)) / (2 * eps) for e in np.eye(f.dim)]
    np.testing.assert_allclose(f.hessian(w), fd_h, rtol=1e-6, atol=1e-7)
    assert np.abs(f.grad(np.array(f.minimizer))).max() < 1e-12


def test_broadcasts_over_leading_axes():
    f = O.least_squares(X, Y)
    W = rng.normal(size=(5, 2, 4))
    assert f(W).shape == (5, 2) and f.grad(W).shape == (5, 2, 4)
    assert f.hessian(W).shape == (5, 2, 4, 4)
    np.testing.assert_allclose(f(W)[3, 1], f(W[3, 1]))


def test_per_example_gradients_average_to_the_full_gradient():
    f = O.least_squares(X, Y)
    w = rng.normal(size=4)
    per_example = np.array([f.batch([i]).grad(w) for i in range(len(X))])
    np.testing.assert_allclose(per_example.mean(axis=0), f.grad(w), rtol=1e-12)
    np.testing.assert_allclose(f.batch(np.arange(len(X))).grad(w), f.grad(w), rtol=1e-12)


def test_gd_stable_below_two_over_lambda_max_only():
    f = O.least_squares(X, Y)
    eta_max = 2 / np.linalg.eigvalsh(f.hessian(np.zeros(4))).max()
    w0 = np.zeros(4)
    end = optlib.trajectory(optlib.sgd(0.95 * eta_max), f, w0, 2000)[-1]
    np.testing.assert_allclose(end, f.minimizer, atol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        big = optlib.trajectory(optlib.sgd(1.05 * eta_max), f, w0, 300)
    assert f(big[-1]) > 1e3 * f(w0)


def test_batch_order_covers_each_epoch_once():
    batches = batch_order(10, 4, epochs=2, seed=3)
    assert [len(b) for b in batches] == [4, 4, 2] * 2
    for e in range(2):
        assert sorted(np.concatenate(batches[3 * e:3 * e + 3])) == list(range(10))
    assert all(np.array_equal(a, b) for a, b in zip(batches, batch_order(10, 4, 2, seed=3)))
    assert len(batch_order(10, None, epochs=3)) == 3


def test_objective_without_batches_is_rejected():
    with pytest.raises(ValueError, match="no minibatches"):
        optlib.minibatch_trajectory(optlib.sgd(0.1), O.square, 1.0, [[0]])


@pytest.mark.parametrize("batch_size,momentum", [(1, 0.0), (5, 0.0), (None, 0.0), (5, 0.9)])
def test_numpy_minibatch_loop_equals_torch_optim_fit(batch_size, momentum):
    f = O.least_squares(X, Y)
    model = torch.nn.Linear(3, 1).double()
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=momentum)
    Xt, Yt = torch.as_tensor(X), torch.as_tensor(Y[:, None])
    hist = fit(model, opt, (Xt, Yt), torch.nn.functional.mse_loss, epochs=3,
               batch_size=batch_size, seed=7, progress=False, log_every=1)
    path = optlib.minibatch_trajectory(optlib.sgd(0.05, momentum=momentum), f, np.zeros(4),
                                       batch_order(len(X), batch_size, 3, seed=7))
    w_torch = np.concatenate([model.weight.detach().numpy().ravel(), model.bias.detach().numpy()])
    np.testing.assert_allclose(path[-1], w_torch, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(f(path), hist["loss"], rtol=1e-12)


def test_fit_rejects_unknown_scheduler_timing():
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = (torch.zeros(4, 2), torch.zeros(4, 1))
    with pytest.raises(ValueError, match="scheduler_per"):
        fit(model, opt, data, torch.nn.functional.mse_loss, scheduler_per="batch")
