"""The benchmarks' shared protocol: fit on half of the rows, score on the
other half, over a range of seeds; and the table the default-choice scripts
print."""

import time

import numpy as np
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def _halves(X, y, seed, stratify):
    return train_test_split(
        X, y, test_size=0.5, stratify=y if stratify else None, random_state=seed
    )


def test_halves(known, y, seeds, stratify=True):
    """``(known_test, y_test)`` on each seed's test half, split as
    :func:`held_out` splits: ``known`` holds one row per sample (the true
    posterior, the best predictions of a generated task)."""
    for seed in seeds:
        _, known_test, _, y_test = _halves(known, y, seed, stratify)
        yield known_test, y_test


def held_out(make, X, y, scorer, seeds, stratify=True):
    """Test scores and fit times of ``make(seed, n_train)`` behind a
    ``StandardScaler``, one 50/50 split per seed (stratified on ``y``
    unless ``stratify`` is False)."""
    scores, times = [], []
    for seed in seeds:
        X_tr, X_te, y_tr, y_te = _halves(X, y, seed, stratify)
        model = make_pipeline(StandardScaler(), make(seed, len(y_tr)))
        start = time.perf_counter()
        model.fit(X_tr, y_tr)
        times.append(time.perf_counter() - start)
        scores.append(scorer(model, X_te, y_te))
    return scores, times


def choice_table(tasks, methods, first, end, spread=False):
    """Print a markdown table: one row per task ``(title, scoring, X, y)``,
    one column per method ``name -> make(scoring, seed, n_train)``, each cell
    the mean test score over seeds ``first..end-1`` (:func:`held_out`), and
    with ``spread`` its standard deviation over the seeds."""
    what = "Mean ± std" if spread else "Mean"
    print(f"{what} test score over seeds {first}-{end - 1}\n")
    print("| task | scorer | " + " | ".join(methods) + " |")
    print("|---|---|" + "---|" * len(methods))
    for title, scoring, X, y in tasks:
        scorer = get_scorer(scoring)
        row = []
        for make in methods.values():
            scores, _ = held_out(
                lambda seed, n, make=make: make(scoring, seed, n),
                X,
                y,
                scorer,
                range(first, end),
            )
            cell = f"{np.mean(scores):.3f}"
            row.append(f"{cell} ± {np.std(scores):.3f}" if spread else cell)
        print(f"| {title} | {scoring} | " + " | ".join(row) + " |", flush=True)
