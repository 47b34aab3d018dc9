"""Fit time on a quiet and on a busy machine, torch's default threads vs one.

Another process keeps every core busy with torch matrix products on as many
threads as there are cores ("busy": a load of about the core count, as
another job on a shared machine). The estimators' default fits (7%-positive
problem of the demo, 1,000 rows, ``scoring="f1"``) run with torch's default
intra-op threads and with ``torch.set_num_threads(1)`` (the package's
single-thread rule for small models switched off). Best of 3 per cell on the
quiet machine, one fit per cell on the busy one.

Run: ``python benchmarks/threads.py``.
"""

import os
import time

import torch
from _load import machine_loads
from _reference import imbalanced_problem

from sklearn_zopg import PGClassifier, ZOClassifier, _threads


def _fit_seconds(Estimator, hidden, threads, X, y, repeats):
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    # measure torch's own setting: no single-thread rule for small models
    _threads.SINGLE_THREAD_MAX_WORK = -1
    try:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            Estimator(scoring="f1", hidden_layer_sizes=hidden, random_state=0).fit(X, y)
            times.append(time.perf_counter() - start)
        return min(times)
    finally:
        torch.set_num_threads(before)


def main():
    X, y = imbalanced_problem(n_samples=1000)
    default = torch.get_num_threads()
    print(f"cores: {os.cpu_count()}, torch default intra-op threads: {default}\n")
    print("| machine | estimator | MLP | default threads (s) | 1 thread (s) | ratio |")
    print("|---|---|---|---|---|---|")
    for load, busy in machine_loads():
        repeats = 1 if load == "busy" else 3  # a busy fit can take minutes
        with busy:
            for Estimator in (PGClassifier, ZOClassifier):
                for hidden in ((64,), (256, 256)):
                    t_default = _fit_seconds(Estimator, hidden, default, X, y, repeats)
                    t_one = _fit_seconds(Estimator, hidden, 1, X, y, repeats)
                    print(
                        f"| {load} | {Estimator.__name__} "
                        f"| {hidden} | {t_default:.2f} | {t_one:.2f} "
                        f"| {t_default / t_one:.2f}x |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
