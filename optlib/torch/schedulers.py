"""ScheduledLR: drive a torch optimizer with the closed-form schedules of :mod:`optlib.schedules`."""
from __future__ import annotations

from typing import Callable, Sequence, Union

from torch.optim.lr_scheduler import LRScheduler

from .._validate import Real, integer

__all__ = ["ScheduledLR"]

Schedule = Callable[[int], float]
_LR = Real("learning rate")


class ScheduledLR(LRScheduler):
    """Drive a torch optimizer with closed-form ``optlib.schedules``.

    After ``t`` calls of ``scheduler.step()`` every group's learning rate is
    ``schedule(t)``; pass one schedule, or a list with one per parameter group.
    Call ``scheduler.step()`` right after ``optimizer.step()``; then update ``t`` uses
    ``schedule(t)``, with no lag of one epoch.  Every rate a schedule produces is
    checked (a finite number >= 0), so a broken schedule never runs gradient ascent.
    """

    def __init__(self, optimizer, schedule: Union[Schedule, Sequence[Schedule]],
                 last_epoch: int = -1):
        n = len(optimizer.param_groups)
        self.schedules = list(schedule) if isinstance(schedule, (list, tuple)) else [schedule] * n
        if len(self.schedules) != n:
            raise ValueError(f"expected {n} schedules (one per parameter group), "
                             f"got {len(self.schedules)}")
        for s in self.schedules:
            if not callable(s):
                raise TypeError(f"Invalid schedule: {s!r} (expected a function of the update "
                                "index t, e.g. optlib.schedules.cosine(...))")
        integer("last_epoch", last_epoch, low=-1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        rates = []
        for s in self.schedules:
            value = s(self.last_epoch)
            try:
                rates.append(float(_LR(value)))
            except (TypeError, ValueError) as err:
                raise type(err)(f"{err} -- produced by the schedule {s!r} at "
                                f"t = {self.last_epoch}") from None
        return rates

    _get_closed_form_lr = get_lr

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "schedules")}
