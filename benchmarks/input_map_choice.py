"""The MLP's input quantile map on the generated and bundled tasks: PG and
ZO with their defaults (no map), and with the map
(``module=MLP, module_params={"input_quantiles": 64}``).

The tasks of ``quality.py``, ``multilabel_quality.py`` and
``regression_quality.py``, their protocol (a held-out half per seed,
standardized features; stratified for the single-label tasks); mean ± std test
score over a range of seeds. ``real_tables.py --input-map`` gives the
same comparison on real tables.

Run: ``python benchmarks/input_map_choice.py [first_seed] [end_seed]
[quality|multilabel|regression]``.
"""

import sys
import warnings

import multilabel_quality
import numpy as np
import quality
import regression_quality
from _held_out import held_out
from sklearn.metrics import get_scorer

from sklearn_zopg import (
    MLP,
    PGClassifier,
    PGRegressor,
    ZOClassifier,
    ZORegressor,
    make_reward,
)

WITH_MAP = {"module": MLP, "module_params": {"input_quantiles": 64}}


def task_groups():
    """``group -> [(title, scoring, X, y)]`` and whether it is regression."""
    yield "quality", quality.tasks(), False
    yield "multilabel", multilabel_quality.tasks(), False
    regression = ((t, s, X, y) for t, s, X, y, _ in regression_quality.tasks())
    yield "regression", regression, True


def main(first=0, end=3, only=""):
    warnings.simplefilter("ignore")  # the anchors' convergence warnings
    seeds = range(first, end)
    print(f"Mean ± std test score over seeds {first}-{end - 1}\n")
    print("| task | PG | PG, input map | ZO | ZO, input map |")
    print("|---|---|---|---|---|")
    for group, tasks, regression in task_groups():
        if only not in group:
            continue
        estimators = (
            (PGRegressor, ZORegressor) if regression else (PGClassifier, ZOClassifier)
        )
        for title, scoring, X, y in tasks:
            scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
            cells = []
            for Estimator in estimators:
                if Estimator is PGClassifier and make_reward(scoring).needs_scores:
                    cells += ["", ""]  # PG samples labels: no ROC AUC
                    continue
                for extra in ({}, WITH_MAP):
                    scores, _ = held_out(
                        lambda seed, n, E=Estimator, extra=extra: E(
                            scoring=scoring, random_state=seed, **extra
                        ),
                        X,
                        y,
                        scorer,
                        seeds,
                        stratify=group == "quality",
                    )
                    cells.append(f"{np.mean(scores):.4g} ± {np.std(scores):.2g}")
            print(f"| {title} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main(*(int(a) if a.isdigit() else a for a in sys.argv[1:]))
