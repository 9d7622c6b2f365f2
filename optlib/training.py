"""A small, seeded, timed training loop for the torch chapters (CPU or GPU automatically).

    hist = fit(model, optimizer, data, loss_fn, epochs=5, batch_size=10)
    hist["time"], hist["loss"]     # training-only wall-clock seconds, full training loss

Logging (the full-data loss, metrics) is not counted in ``time``; a progress bar
(tqdm) is shown in notebooks and silenced when ``CI`` or ``OPTLIB_QUIET`` is set.
A loss that is no longer finite stops training loudly (:class:`NonFiniteLossError`,
naming the epoch and the update), or, with ``on_nonfinite="stop"``, ends the run with
a warning and the history recorded up to it.
"""
from __future__ import annotations

import math
import os
import random
import time
import warnings
from typing import Callable, Mapping, Optional

import numpy as np
import torch

from ._validate import integer
from .torch import device as default_device

__all__ = ["seed_everything", "as_tensors", "fit", "accuracy", "batch_order",
           "NonFiniteLossError"]


class NonFiniteLossError(FloatingPointError):
    """The training loss became inf or nan: the run diverged (see :func:`fit`)."""


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; return a torch generator for data shuffling."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def as_tensors(*arrays, device=None):
    """NumPy arrays to torch tensors on ``device`` (default: :func:`optlib.torch.device`)."""
    dev = device or default_device()
    return [torch.as_tensor(a, device=dev) for a in arrays]


def _quiet() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("OPTLIB_QUIET"))


@torch.no_grad()
def accuracy(model, X, y) -> float:
    """Fraction of rows of ``X`` whose arg-max prediction equals the label ``y``."""
    return (model(X).argmax(dim=1) == y).float().mean().item()


def batch_order(n: int, batch_size: Optional[int] = None, epochs: int = 1, seed: int = 0):
    """The minibatches (NumPy index arrays) that :func:`fit` draws, in its order.

    Each epoch is a fresh seeded permutation of the ``n`` examples cut into batches of
    ``batch_size`` (the last one may be smaller); ``batch_size=None`` or ``>= n`` gives
    the whole data set every update.  Feed it to :func:`optlib.minibatch_trajectory` to
    repeat a torch run with the NumPy backend.
    """
    bs = _batch_size(n, batch_size)
    integer("number of epochs", epochs)
    batches = []
    for order in _epoch_orders(n, bs, epochs, seed):
        order = order.numpy() if order is not None else np.arange(n)
        batches += [order[start:start + bs] for start in range(0, n, bs)]
    return batches


def _batch_size(n: int, batch_size) -> int:
    """The batch size to use for ``n`` examples (None: all of them); checked."""
    if integer("number of examples", n) == 0:
        raise ValueError("Invalid data: no examples (training needs at least one)")
    if batch_size is None:
        return n
    return min(integer("batch_size", batch_size, low=1), n)


def _epoch_orders(n: int, bs: int, epochs: int, seed: int):
    """Per epoch, the seeded permutation of the ``n`` examples (a torch tensor), or None
    when one batch holds them all: the one source of :func:`fit`'s and
    :func:`batch_order`'s order."""
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        yield torch.randperm(n, generator=gen) if bs < n else None


def fit(model: torch.nn.Module, optimizer: torch.optim.Optimizer, data, loss_fn: Callable,
        epochs: int = 1, batch_size: Optional[int] = None, scheduler=None,
        scheduler_per: str = "epoch", log_every: Optional[int] = None,
        metrics: Optional[Mapping[str, Callable]] = None, seed: int = 0,
        progress: Optional[bool] = None, desc: str = "training",
        on_nonfinite: str = "raise") -> dict:
    """Train ``model`` with minibatches of ``(X, y) = data`` drawn without replacement.

    * ``batch_size=None`` is full-batch gradient descent.
    * ``scheduler`` (e.g. :class:`optlib.torch.ScheduledLR`) is stepped right after the
      optimizer: once per epoch (``scheduler_per="epoch"``, so epoch e trains with
      schedule(e)) or after every update (``"update"``).
    * The full training loss and each ``metrics[name](model)`` are logged at the start,
      then every ``log_every`` updates (default: once per epoch).

    * If a minibatch loss or a logged loss is not finite (the run diverged), ``fit``
      raises :class:`NonFiniteLossError` naming the epoch and the update;
      ``on_nonfinite="stop"`` instead logs that point, warns and returns.

    Returns a dict of lists: ``update``, ``epoch``, ``time`` (training seconds), ``lr``,
    ``loss`` and one list per metric.
    """
    X, y = data
    n = len(X)
    if len(y) != n:
        raise ValueError(f"Invalid data: {n} inputs but {len(y)} targets")
    bs = _batch_size(n, batch_size)
    integer("number of epochs", epochs)
    per_epoch = -(-n // bs)
    log_every = per_epoch if log_every is None else integer("log_every", log_every, low=1)
    if scheduler_per not in ("epoch", "update"):
        raise ValueError(f"scheduler_per must be 'epoch' or 'update', got {scheduler_per!r}")
    if on_nonfinite not in ("raise", "stop"):
        raise ValueError(f"on_nonfinite must be 'raise' or 'stop', got {on_nonfinite!r}")
    metrics = dict(metrics or {})
    hist = {k: [] for k in ("update", "epoch", "time", "lr", "loss", *metrics)}
    clock = 0.0

    def log(update):
        with torch.no_grad():
            full = loss_fn(model(X), y).item()
        hist["loss"].append(full)
        for name, fn in metrics.items():
            hist[name].append(float(fn(model)))
        hist["update"].append(update)
        hist["epoch"].append(update / per_epoch)
        hist["time"].append(clock)
        hist["lr"].append(optimizer.param_groups[0]["lr"])
        return full

    def diverged(value, update, what):
        """Handle a non-finite loss; True when training must stop (on_nonfinite="stop")."""
        epoch, batch = divmod(update, per_epoch)
        msg = (f"fit: the {what} is {value} at update t = {update} (epoch {epoch}, batch "
               f"{batch}; both 0-based): the run diverged (lr = "
               f"{optimizer.param_groups[0]['lr']:g})")
        if on_nonfinite == "raise":
            bar.close()
            raise NonFiniteLossError(f"{msg}. Lower the learning rate, or pass "
                                     "on_nonfinite='stop' to keep the history up to here.")
        warnings.warn(f"{msg}; training stopped.", RuntimeWarning, stacklevel=3)
        return True

    if progress is None:
        progress = not _quiet()
    from tqdm.auto import tqdm

    bar = tqdm(total=epochs * per_epoch, desc=desc, disable=not progress, leave=False)
    if not math.isfinite(log(0)) and diverged(hist["loss"][-1], 0, "initial loss"):
        bar.close()
        return hist
    update = 0
    for order in _epoch_orders(n, bs, epochs, seed):
        order = order.to(X.device) if order is not None else None
        for start in range(0, n, bs):
            tic = time.perf_counter()
            idx = order[start:start + bs] if order is not None else slice(None)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(X[idx]), y[idx])
            value = loss.item()
            if not math.isfinite(value):
                clock += time.perf_counter() - tic
                if diverged(value, update, "minibatch loss"):
                    if hist["update"][-1] != update:
                        log(update)
                    bar.close()
                    return hist
            loss.backward()
            optimizer.step()
            if scheduler is not None and scheduler_per == "update":
                scheduler.step()
            if X.is_cuda:
                torch.cuda.synchronize()
            clock += time.perf_counter() - tic
            update += 1
            bar.update()
            if update % log_every == 0:
                if not math.isfinite(log(update)) and diverged(hist["loss"][-1], update, "loss"):
                    bar.close()
                    return hist
        if scheduler is not None and scheduler_per == "epoch":
            scheduler.step()
    bar.close()
    return hist
