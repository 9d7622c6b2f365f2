"""optlib: the small, exact optimizer library behind the book *Optimization for Deep Learning*.

NumPy backend (this namespace), for the 1-D and 2-D pictures::

    import optlib
    path = optlib.trajectory(optlib.sgd(lr=0.2), optlib.objectives.square, x0=10.0, steps=10)

torch backend: ``import optlib.torch as ot`` (real ``torch.optim.Optimizer`` subclasses).
Schedules: :mod:`optlib.schedules`; plots: :mod:`optlib.plot`; rates on quadratics:
:mod:`optlib.theory`.  Which results are equal to the last bit and which agree to
round-off (on every CPU): :mod:`optlib.numerics`.
"""
from . import data, numerics, objectives, rules, schedules
from . import theory
from .core import (DivergenceWarning, Optimizer, OptState, adadelta, adagrad, adam, adamw,
                   minibatch_trajectory, newton, rmsprop, sgd, sweep, trajectory, yogi)
from .objectives import Objective
from .constraints import project_ball, projected_trajectory
from .linesearch import backtracking_trajectory

__version__ = "0.1.0"

__all__ = [
    "Objective", "data", "numerics", "objectives", "rules", "schedules", "theory",
    "Optimizer", "OptState", "DivergenceWarning",
    "sgd", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "yogi", "newton",
    "trajectory", "sweep", "minibatch_trajectory", "project_ball", "projected_trajectory",
    "backtracking_trajectory",
]
