"""How ``surrogate_schedule`` was chosen: surrogate steps before the score
phase only, or interleaved with it.

The tasks of ``quality.py`` but ROC AUC (which PG cannot score), a
held-out stratified half, standardized features; mean test score (± its
standard deviation) over a range of seeds of PG and ZO with their defaults
(``"before"``) and with ``surrogate_schedule="alternate"`` at
``surrogate_every`` 1 and 4 (a surrogate step after every one or four
score steps).

``--variance``: what each schedule does to PG's estimate, on the task of a
score that is a sum over samples (balanced accuracy; digits on accuracy),
at the model each fit reaches: the total variance of a one-vector REINFORCE
estimate and its cosine with the exact policy gradient
(:func:`sklearn_zopg.diagnostics.gradient_agreement`, on the test half),
and the fit time.

Run: ``python benchmarks/schedule_choice.py [--variance] [first_seed] [end_seed]``.
"""

import sys

import numpy as np
from _held_out import choice_table, held_out
from quality import tasks as quality_tasks
from sklearn.metrics import get_scorer

from sklearn_zopg import PGClassifier, ZOClassifier
from sklearn_zopg.diagnostics import gradient_agreement


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


def variance_table(first, end):
    """PG's schedules: fit time, one-vector estimate variance and cosine
    with the exact gradient at the fitted model, mean over seeds."""
    tasks = [
        (title, "accuracy" if title.startswith("digits") else scoring, X, y)
        for title, scoring, X, y in quality_tasks()
        if scoring == "balanced_accuracy" or title.startswith("digits")
    ]
    pg = {name: make for name, make in METHODS.items() if name.startswith("PG")}
    print(f"Mean over seeds {first}-{end - 1}\n")
    print(
        "| task | scorer | method | fit s | var of a one-vector estimate "
        "| cosine with the exact gradient | test score |"
    )
    print("|---|---|---|---|---|---|---|")
    title, scoring, X, y = tasks[0]  # one untimed fit: the first pays the imports
    next(iter(pg.values()))(scoring, first, len(y)).fit(X, y)
    for title, scoring, X, y in tasks:

        def measure(model, X_test, y_test, scoring=scoring):
            agreement = gradient_agreement(
                model[-1], model[:-1].transform(X_test), y_test, n_directions=16
            )
            score = get_scorer(scoring)(model, X_test, y_test)
            return agreement["var_pg"], agreement["cos_pg_exact"], score

        for name, make in pg.items():
            measured, times = held_out(
                lambda seed, n, make=make: make(scoring, seed, n),
                X,
                y,
                measure,
                range(first, end),
            )
            var, cos, score = np.mean(measured, axis=0)
            fit_s = np.mean(times)
            print(
                f"| {title} | {scoring} | {name} | {fit_s:.1f} | {var:.3g} "
                f"| {cos:.3f} | {score:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if "--variance" in arguments:
        arguments.remove("--variance")
        variance_table(*(int(a) for a in arguments))
        sys.exit()
    tasks = (  # PG scores labels: the ROC AUC task is left out
        (title, scoring, X, y)
        for title, scoring, X, y in quality_tasks()
        if scoring != "roc_auc"
    )
    choice_table(tasks, METHODS, *(int(a) for a in arguments), spread=True)
