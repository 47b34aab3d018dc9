"""How ``surrogate_schedule`` was chosen: surrogate steps before the score
phase only, or interleaved with it.

The tasks of ``quality.py`` but ROC AUC (which PG cannot score), a
held-out stratified half, standardized features; mean test score over a
range of seeds of PG and ZO with their defaults (``"before"``) and with
``surrogate_schedule="alternate"`` at ``surrogate_every`` 1 and 4 (a
surrogate step after every one or four score steps).

Run: ``python benchmarks/schedule_choice.py [first_seed] [end_seed]``.
"""

import sys

from _held_out import choice_table
from quality import tasks as quality_tasks

from sklearn_zopg import PGClassifier, ZOClassifier


def fit(Estimator, **params):
    return lambda scoring, seed, n: Estimator(
        scoring=scoring, random_state=seed, **params
    )


METHODS = {
    "ZO before": fit(ZOClassifier),
    "ZO alternate 1": fit(ZOClassifier, surrogate_schedule="alternate"),
    "ZO alternate 4": fit(
        ZOClassifier, surrogate_schedule="alternate", surrogate_every=4
    ),
    "PG before": fit(PGClassifier),
    "PG alternate 1": fit(PGClassifier, surrogate_schedule="alternate"),
    "PG alternate 4": fit(
        PGClassifier, surrogate_schedule="alternate", surrogate_every=4
    ),
}

if __name__ == "__main__":
    tasks = (  # PG scores labels: the ROC AUC task is left out
        (title, scoring, X, y)
        for title, scoring, X, y in quality_tasks()
        if scoring != "roc_auc"
    )
    choice_table(tasks, METHODS, *(int(a) for a in sys.argv[1:]))
