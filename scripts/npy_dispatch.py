"""Print the value of NPY_DISABLE_CPU_FEATURES that lowers NumPy to its baseline loops.

NumPy compiles some loops for several SIMD targets above its baseline (on x86-64 with
NumPy 2.x: X86_V3 ~ AVX2, X86_V4 ~ AVX-512, AVX512_ICL, AVX512_SPR) and picks the best
one the running CPU supports. Running the numeric tests once more with every such target
disabled makes a result that depends on the SIMD path fail on any machine, with or without
AVX-512. Prints nothing when the CPU offers no target above the baseline.
"""
import numpy as np

try:  # NumPy >= 2
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
except ImportError:  # pragma: no cover - NumPy 1.x
    from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__

if __name__ == "__main__":
    print(" ".join(t for t in __cpu_dispatch__ if __cpu_features__.get(t)))
