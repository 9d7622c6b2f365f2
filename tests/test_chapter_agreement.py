"""Chapter 4's claim that its code paths agree: on the diabetes data, minibatch SGD run
"from scratch" (optlib.minibatch_trajectory with the exact minibatch gradients of
f.batch(idx)) and run as a torch training loop (optlib.training.fit) with
optlib.torch.SGD or torch.optim.SGD give the same iterates and losses on the same batches.

The paths compute in a different order (NumPy matrix products vs torch autograd), so the
comparison uses a relative tolerance a few orders of magnitude above float64 round-off,
never exact equality.
"""
import numpy as np
import pytest
import torch

import optlib
import optlib.torch as ot
from optlib import objectives
from optlib.training import as_tensors, batch_order, fit

LR, BATCH, EPOCHS = 0.02, 10, 2
RTOL = 1e-12       # after 90 updates the paths differ by ~1e-15 relative (round-off)


@pytest.fixture(scope="module")
def problem():
    data = optlib.data.diabetes()
    f = objectives.least_squares(data.X_train, data.y_train)
    X, y = as_tensors(data.X_train.astype(np.float64), data.y_train.astype(np.float64))
    return data, f, X, y


def _scratch(f, n, lr=LR):
    return optlib.minibatch_trajectory(optlib.sgd(lr), f, np.zeros(f.dim),
                                       batch_order(n, BATCH, epochs=EPOCHS, seed=0))


def _torch_run(make, X, y, lr=LR, seed=0):
    model = torch.nn.Linear(X.shape[1], 1).to(dtype=torch.float64)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    hist = fit(model, make(model.parameters(), lr=lr), (X, y), torch.nn.functional.mse_loss,
               epochs=EPOCHS, batch_size=BATCH, seed=seed, log_every=1, progress=False)
    params = np.concatenate([p.detach().double().numpy().ravel()
                             for p in (model.weight, model.bias)])
    return params, np.array(hist["loss"])


@pytest.mark.parametrize("make", [ot.SGD, torch.optim.SGD], ids=["optlib.torch", "torch.optim"])
def test_scratch_and_torch_loops_agree(problem, make):
    data, f, X, y = problem
    n = len(data.X_train)
    scratch = _scratch(f, n)
    assert len(scratch) == EPOCHS * -(-n // BATCH) + 1 == 91
    params, losses = _torch_run(make, X, y)
    np.testing.assert_allclose(params, scratch[-1], rtol=RTOL, atol=1e-13)
    np.testing.assert_allclose(losses, f(scratch), rtol=RTOL)


def test_the_comparison_can_fail(problem):
    """A different learning rate or different batches must be caught by the same bounds."""
    data, f, X, y = problem
    n = len(data.X_train)
    scratch = _scratch(f, n)
    params, _ = _torch_run(ot.SGD, X, y, lr=LR * (1 + 1e-9))
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(params, scratch[-1], rtol=RTOL, atol=1e-13)
    params, _ = _torch_run(ot.SGD, X, y, seed=1)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(params, scratch[-1], rtol=RTOL, atol=1e-13)
