"""optlib.training.fit fails loudly: a non-finite loss stops training with an error naming
the epoch and the update (or, when asked, records and stops); impossible batch sizes,
epoch counts and empty data are refused."""
import warnings

import pytest
import torch

import optlib.torch as ot
from optlib.training import NonFiniteLossError, batch_order, fit

X = torch.randn(50, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
Y = X @ torch.tensor([[1.0], [-2.0], [0.5]], dtype=torch.float64)
LOSS = torch.nn.functional.mse_loss


def _model():
    torch.manual_seed(0)
    return torch.nn.Linear(3, 1).double()


def _fit(lr, **kw):
    model = _model()
    return fit(model, ot.SGD(model.parameters(), lr=lr), (X, Y), LOSS, progress=False, **kw)


def test_a_diverging_run_raises_naming_epoch_and_update():
    with pytest.raises(NonFiniteLossError, match=r"at update t = \d+ \(epoch \d+, batch \d+"):
        _fit(1e6, epochs=5, batch_size=10)


def test_on_nonfinite_stop_records_and_stops():
    with pytest.warns(RuntimeWarning, match="training stopped"):
        hist = _fit(1e6, epochs=5, batch_size=10, on_nonfinite="stop")
    assert hist["update"][-1] < 25 and hist["update"] == sorted(set(hist["update"]))
    assert not torch.isfinite(torch.tensor(hist["loss"][-1]))
    assert all(len(v) == len(hist["loss"]) for v in hist.values())


def test_a_converging_run_is_unchanged():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = _fit(0.05, epochs=3, batch_size=10)
    assert hist["update"] == [0, 5, 10, 15] and hist["loss"][-1] < hist["loss"][0]


@pytest.mark.parametrize("kw,error,msg", [
    (dict(batch_size=-5), ValueError, "Invalid batch_size: -5"),
    (dict(batch_size=0), ValueError, "Invalid batch_size: 0"),
    (dict(batch_size=2.5), TypeError, "Invalid batch_size"),
    (dict(batch_size=True), TypeError, "Invalid batch_size"),
    (dict(epochs=-1), ValueError, "Invalid number of epochs: -1"),
    (dict(epochs=1.5), TypeError, "Invalid number of epochs"),
    (dict(log_every=0), ValueError, "Invalid log_every"),
    (dict(on_nonfinite="ignore"), ValueError, "on_nonfinite"),
    (dict(scheduler_per="batch"), ValueError, "scheduler_per"),
])
def test_impossible_arguments_are_refused(kw, error, msg):
    with pytest.raises(error, match=msg):
        _fit(0.05, **kw)


def test_empty_or_mismatched_data_is_refused():
    model = _model()
    opt = ot.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="no examples"):
        fit(model, opt, (X[:0], Y[:0]), LOSS, progress=False)
    with pytest.raises(ValueError, match="50 inputs but 49 targets"):
        fit(model, opt, (X, Y[:49]), LOSS, progress=False)
    with pytest.raises(ValueError, match="Invalid batch_size"):
        batch_order(10, 0)
    with pytest.raises(ValueError, match="no examples"):
        batch_order(0, 5)
