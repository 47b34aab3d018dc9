"""How ``decision_offsets="auto"`` was chosen: offsets tuned on the exact
score, with and without, on the tabular and the text tasks.

The label-scored tasks of ``quality.py`` (a held-out stratified half,
standardized features) and the three text tasks of ``text_quality.py``
(a stratified 70/30 split, TF-IDF); mean ± std test score over a range of
seeds of ZO and PG with their defaults, once with ``decision_offsets=None``
(the module's own argmax) and once with the offsets tuned on the training
rows (``"tuned"``; for ZO that is what ``"auto"`` does with these
scorers). The module is the same in both fits of a pair: the offsets come
after training.

Run: ``python benchmarks/offsets_choice.py [first_seed] [end_seed]``
(0 3 chose the default; 3 6 confirmed it on fresh seeds).
"""

import sys

import numpy as np
from _held_out import held_out
from quality import tasks as tabular_tasks
from sklearn.metrics import get_scorer
from text_quality import TASKS, text_splits

from sklearn_zopg import PGClassifier, ZOClassifier, make_reward

COLUMNS = {
    f"{name} {offsets}": (Estimator, setting)
    for name, Estimator in (("ZO", ZOClassifier), ("PG", PGClassifier))
    for offsets, setting in (("none", None), ("tuned", "tuned"))
}


def _make(Estimator, scoring, setting, seed):
    return Estimator(scoring=scoring, decision_offsets=setting, random_state=seed)


def tabular_rows(seeds):
    for title, scoring, X, y in tabular_tasks():
        if not make_reward(scoring, classes=np.unique(y)).count_based:
            continue  # scores of probabilities, custom costs: "auto" skips them
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
        cells = []
        for Estimator, setting in COLUMNS.values():
            scores, _ = held_out(
                lambda seed, n, E=Estimator, s=setting: _make(E, scoring, s, seed),
                X,
                y,
                scorer,
                seeds,
            )
            cells.append(scores)
        yield title, cells


def text_rows(seeds):
    for name, (scoring, _) in TASKS.items():
        scorer = get_scorer(scoring)
        cells = [[] for _ in COLUMNS]
        for seed, X_tr, X_te, y_tr, y_te in text_splits(name, seeds):
            for cell, (Estimator, setting) in zip(cells, COLUMNS.values()):
                model = _make(Estimator, scoring, setting, seed).fit(X_tr, y_tr)
                cell.append(scorer(model, X_te, y_te))
        yield f"text: {name}", cells


def main(first=0, end=3):
    seeds = range(first, end)
    print(f"Mean ± std test score over seeds {first}-{end - 1}\n")
    print("| task | " + " | ".join(COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    for rows in (tabular_rows(seeds), text_rows(seeds)):
        for title, cells in rows:
            values = " | ".join(f"{np.mean(c):.3f} ± {np.std(c):.3f}" for c in cells)
            print(f"| {title} | {values} |", flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
