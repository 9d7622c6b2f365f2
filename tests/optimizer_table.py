"""THE table of optimizers under test (one for the whole suite, in the spirit of optax's
``_OPTIMIZERS_UNDER_TEST``) and an independent textbook oracle.

Each :class:`Case` is one algorithm with one setting of its hyperparameters and says

* which execution paths must run it (``PATHS``; the conformance suite checks with a spy
  that each of them really ran);
* its first step from ``X0`` with gradient ``G0``, computed by hand;
* the ``torch.optim`` optimizer that computes the same formula, if there is one.

:func:`textbook` runs an algorithm as the papers write it, in plain NumPy, without
anything from ``optlib`` (1-based step counter, ``g ** 2``, explicit bias corrections):
the suite's oracle for several steps, which tells Yogi from Adam.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

X0 = np.array([1.0, -2.0])
G0 = 2 * X0  # gradient of the element-wise square at X0 (Hessian 2 I)

NUMPY_STEP, NUMPY_INPLACE = "numpy.step", "numpy.step_"
TORCH_REFERENCE, TORCH_FOREACH, TORCH_FUSED = "torch.reference", "torch.foreach", "torch.fused"
PATHS = (NUMPY_STEP, NUMPY_INPLACE, TORCH_REFERENCE, TORCH_FOREACH, TORCH_FUSED)
ALL = PATHS
NO_FUSED = PATHS[:-1]
NUMPY_ONLY = PATHS[:2]


class Case(NamedTuple):
    id: str
    algorithm: str                 # name in optlib.spec.ALGORITHMS (optlib.<name>)
    kw: dict                       # hyperparameters (NumPy factory and torch class alike)
    paths: tuple                   # execution paths that must run this case
    first_step: np.ndarray         # x_1 from X0 with gradient G0, by hand
    torch_optim: Optional[tuple] = None   # (torch.optim class name, its kwargs)


def _adam_first(lr, eps, g=G0, decoupled=0.0):
    """v_hat = g and s_hat = g^2 after one step, whatever the betas (Adam and Yogi alike)."""
    return X0 - lr * (g / (np.abs(g) + eps) + decoupled * X0)


TABLE = [
    Case("sgd", "sgd", dict(lr=0.1), NO_FUSED, X0 - 0.1 * G0, ("SGD", dict(lr=0.1))),
    Case("sgd_l2", "sgd", dict(lr=0.1, weight_decay=0.5), NO_FUSED,
         X0 - 0.1 * (G0 + 0.5 * X0), ("SGD", dict(lr=0.1, weight_decay=0.5))),
    Case("momentum", "sgd", dict(lr=0.1, momentum=0.9), ALL, X0 - 0.1 * G0,
         ("SGD", dict(lr=0.1, momentum=0.9))),
    Case("nesterov_l2", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
         ALL, X0 - 0.05 * 1.9 * (G0 + 0.01 * X0),
         ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01))),
    Case("adagrad", "adagrad", dict(lr=0.4), NO_FUSED, X0 - 0.4 * G0 / np.sqrt(G0 ** 2 + 1e-6)),
    Case("adagrad_out_l2", "adagrad",
         dict(lr=0.4, eps=1e-3, eps_inside_sqrt=False, weight_decay=0.05), ALL,
         X0 - 0.4 * (G0 + 0.05 * X0) / (np.abs(G0 + 0.05 * X0) + 1e-3),
         ("Adagrad", dict(lr=0.4, eps=1e-3, weight_decay=0.05))),
    Case("rmsprop", "rmsprop", dict(lr=0.4, alpha=0.9), NO_FUSED,
         X0 - 0.4 * G0 / np.sqrt(0.1 * G0 ** 2 + 1e-6)),
    Case("rmsprop_out_l2", "rmsprop",
         dict(lr=0.05, alpha=0.99, eps=1e-3, eps_inside_sqrt=False, weight_decay=0.01),
         NO_FUSED, X0 - 0.05 * (G0 + 0.01 * X0) / (np.sqrt(0.01 * (G0 + 0.01 * X0) ** 2) + 1e-3),
         ("RMSprop", dict(lr=0.05, alpha=0.99, eps=1e-3, weight_decay=0.01))),
    Case("adadelta", "adadelta", dict(rho=0.9), NO_FUSED,
         X0 - np.sqrt(1e-5) / np.sqrt(0.1 * G0 ** 2 + 1e-5) * G0,
         ("Adadelta", dict(lr=1.0, rho=0.9, eps=1e-5))),
    Case("adadelta_l2", "adadelta", dict(rho=0.5, eps=1e-3, lr=0.5, weight_decay=0.01), NO_FUSED,
         X0 - 0.5 * np.sqrt(1e-3) / np.sqrt(0.5 * (G0 + 0.01 * X0) ** 2 + 1e-3)
         * (G0 + 0.01 * X0),
         ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-3, weight_decay=0.01))),
    Case("adam", "adam", dict(lr=0.1), ALL, _adam_first(0.1, 1e-8), ("Adam", dict(lr=0.1))),
    Case("adam_l2", "adam", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.01), ALL,
         _adam_first(0.05, 1e-8, G0 + 0.01 * X0),
         ("Adam", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.01))),
    Case("adamw", "adamw", dict(lr=0.1, weight_decay=0.1), ALL,
         _adam_first(0.1, 1e-8, decoupled=0.1), ("AdamW", dict(lr=0.1, weight_decay=0.1))),
    Case("yogi", "yogi", dict(lr=0.1), NO_FUSED, _adam_first(0.1, 1e-3)),
    Case("yogi_l2", "yogi", dict(lr=0.05, betas=(0.5, 0.9), weight_decay=0.01), NO_FUSED,
         _adam_first(0.05, 1e-3, G0 + 0.01 * X0)),
    Case("newton", "newton", dict(), NUMPY_ONLY, np.zeros(2)),         # H = 2 I: d = x
    Case("newton_diag_half", "newton", dict(lr=0.5, diagonal=True), NUMPY_ONLY, X0 / 2),
]
CASES = {c.id: c for c in TABLE}
IDS = list(CASES)


def textbook(case: Case, objective, x0, steps: int) -> np.ndarray:
    """The iterates x_0 .. x_steps of ``case`` as the papers write the algorithm."""
    a, kw = case.algorithm, case.kw
    lr = kw.get("lr", 1.0)
    wd = kw.get("weight_decay", 1e-2 if a == "adamw" else 0.0)
    mu, nesterov = kw.get("momentum", 0.0), kw.get("nesterov", False)
    alpha, rho = kw.get("alpha", 0.9), kw.get("rho", 0.9)
    b1, b2 = kw.get("betas", (0.9, 0.999))
    eps = kw.get("eps", {"adagrad": 1e-6, "rmsprop": 1e-6, "adadelta": 1e-5,
                         "yogi": 1e-3}.get(a, 1e-8))
    inside = kw.get("eps_inside_sqrt", True)
    x = np.array(x0, dtype=float)
    m = np.zeros_like(x)          # momentum / first moment
    v = np.zeros_like(x)          # second moment / sum of squares
    acc = np.zeros_like(x)        # Adadelta's average of squared updates
    rows = [x]
    for t in range(1, steps + 1):
        g = objective.grad(x)
        if a != "adamw":
            g = g + wd * x
        if a == "sgd":
            m = mu * m + g
            d = g + mu * m if nesterov else m
        elif a in ("adagrad", "rmsprop"):
            v = v + g ** 2 if a == "adagrad" else alpha * v + (1 - alpha) * g ** 2
            d = g / np.sqrt(v + eps) if inside else g / (np.sqrt(v) + eps)
        elif a == "adadelta":
            v = rho * v + (1 - rho) * g ** 2
            d = np.sqrt(acc + eps) / np.sqrt(v + eps) * g
            acc = rho * acc + (1 - rho) * d ** 2
        elif a in ("adam", "adamw", "yogi"):
            m = b1 * m + (1 - b1) * g
            if a == "yogi":                                   # Zaheer et al. 2018, Alg. 2
                v = v - (1 - b2) * np.sign(v - g ** 2) * g ** 2
            else:                                             # Kingma & Ba 2015, Alg. 1
                v = b2 * v + (1 - b2) * g ** 2
            d = (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        elif a == "newton":
            H = objective.hessian(x)
            d = g / np.diagonal(H) if kw.get("diagonal") else np.linalg.solve(H, g)
        else:
            raise KeyError(f"no textbook version of {a}: add one")
        x = x - lr * (d + wd * x) if a == "adamw" else x - lr * d
        rows.append(x)
    return np.stack(rows)
