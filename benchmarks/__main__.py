"""python -m benchmarks [--size 1e7] [--repeats 5] [--threads 1] [--out benchmarks/results]"""
from .suite import main

main()
