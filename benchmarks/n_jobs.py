"""GridSearchCV with n_jobs=1 against n_jobs=2 on a 2-core machine.

A 4-candidate, 3-fold search of PG and ZO on the 7%-positive problem (1,500
rows, F1), each setting twice in alternation: the first n_jobs=2 search
also pays for starting the worker processes (each imports torch), the
second reuses them. Run it on a quiet machine and again beside another job
that keeps both cores busy.

Run: ``python benchmarks/n_jobs.py``.
"""

import time

from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from sklearn_zopg import PGClassifier, ZOClassifier


def main():
    X, y = make_classification(
        n_samples=1500,
        n_features=20,
        n_informative=5,
        weights=[0.93],
        flip_y=0.02,
        random_state=0,
    )
    grid = {"lr": [0.01, 0.003], "n_samples": [8, 16]}
    print("| estimator | n_jobs | round | search time (s) |")
    print("|---|---|---|---|")
    for Estimator in (PGClassifier, ZOClassifier):
        for round_, n_jobs in ((1, 1), (1, 2), (2, 1), (2, 2)):
            start = time.perf_counter()
            search = GridSearchCV(
                Estimator(scoring="f1", random_state=0), grid, cv=3, n_jobs=n_jobs
            )
            search.fit(X, y)
            elapsed = time.perf_counter() - start
            print(
                f"| {Estimator.__name__} | {n_jobs} | {round_} | {elapsed:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
