"""optlib's benchmarks: ``python -m benchmarks`` (see ``python -m benchmarks --help``).

Three measurements, each a ratio taken side by side in one run (on a shared CPU only
ratios are meaningful): torch optimizer steps against ``torch.optim``, NumPy in-place
steps against the expression form, and one broadcast learning-rate sweep against a
Python loop.  Every step is also compared with its memory-bandwidth floor.
"""
