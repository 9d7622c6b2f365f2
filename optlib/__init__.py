"""optlib: the small, exact optimizer library behind the book *Optimization for Deep Learning*.

NumPy backend (this namespace), for the 1-D and 2-D pictures::

    import optlib
    path = optlib.trajectory(optlib.sgd(lr=0.2), optlib.objectives.square, x0=10.0, steps=10)

torch backend: ``import optlib.torch as ot`` (real ``torch.optim.Optimizer`` subclasses).
Schedules: :mod:`optlib.schedules`; plots: :mod:`optlib.plot`; rates on quadratics:
:mod:`optlib.theory`.  Which results are equal to the last bit and which agree to
round-off (on every CPU): :mod:`optlib.numerics`.  Everything about one algorithm (rule,
hyperparameters, defaults, checks, kernels) and how to add one: :mod:`optlib.spec`.
"""
from . import data, numerics, objectives, rules, schedules, spec
from . import theory
from .core import (DivergenceWarning, FACTORIES, Optimizer, OptState, minibatch_trajectory,
                   sweep, trajectory)
from .objectives import Objective
from .constraints import project_ball, projected_trajectory
from .linesearch import backtracking_trajectory

__version__ = "0.1.0"

globals().update(FACTORIES)   # optlib.sgd, optlib.adam, ... (one per optlib.spec.ALGORITHMS)

__all__ = [
    "Objective", "data", "numerics", "objectives", "rules", "schedules", "spec", "theory",
    "Optimizer", "OptState", "DivergenceWarning", *FACTORIES,
    "trajectory", "sweep", "minibatch_trajectory", "project_ball", "projected_trajectory",
    "backtracking_trajectory",
]
