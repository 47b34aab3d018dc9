"""Per-row costs: PG and ZO on the routed savings against empulse and sklearn.

empulse's four bundled tables with per-row costs (``_row_cost_data.py``):
TV subscription churn, PAKDD and VUB credit scoring, bank telemarketing.
Every model gets the same features (the per-row amounts included, as
``log1p`` columns), through the same ``ColumnTransformer`` (median / most
frequent imputation, ``StandardScaler``, one-hot categories), on the same
stratified 70/30 split per seed. The score is empulse's ``savings_score``
on the test rows (1: no cost; 0: the cheaper of "all positive" and "all
negative"). Models:

- ours: ``PGClassifier``/``ZOClassifier`` with defaults, ``scoring`` the
  savings scorer with the four costs routed as metadata
  (``set_score_request``), ``random_state`` set;
- empulse: ``CSLogitClassifier``, ``ProfLogitClassifier`` (genetic
  algorithm), ``CSBoostClassifier`` (LightGBM), trained on the costs, and
  ``CSThresholdClassifier`` on ``LogisticRegression`` and on
  ``HistGradientBoostingClassifier``, which takes the test rows' costs in
  ``predict``;
- sklearn: ``TunedThresholdClassifierCV(HistGradientBoostingClassifier())``
  tuned on the routed savings scorer, plain ``LogisticRegression`` and
  ``HistGradientBoostingClassifier``.

Prints one table per data set (test savings mean ± std, fit time), then a
summary: best of PG/ZO against the best anchor.

Run: ``python benchmarks/row_costs.py [--seeds 0-2] [--task PART]
[--methods NAME,NAME] [--max-rows N]``. Needs the ``benchmarks`` extra
(empulse, lightgbm).
"""

import argparse
import time
import warnings

import _row_cost_data as data
import numpy as np
import sklearn
from empulse.metrics import savings_score
from empulse.models import (
    CSBoostClassifier,
    CSLogitClassifier,
    CSThresholdClassifier,
    ProfLogitClassifier,
)
from lightgbm import LGBMClassifier
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier

OURS = ("PG", "ZO")


def savings_scorer():
    """empulse's savings, with the four per-row costs routed as metadata."""
    return make_scorer(savings_score).set_score_request(
        **dict.fromkeys(data.COSTS, True)
    )


def preprocessing(X):
    numeric = X.select_dtypes("number").columns.tolist()
    categorical = [c for c in X.columns if c not in numeric]
    return make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        (
            make_pipeline(
                SimpleImputer(strategy="most_frequent"),
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    min_frequency=20,
                    sparse_output=False,
                ),
            ),
            categorical,
        ),
    )


class Method:
    """How a model is built, trained on the costs and asked to decide."""

    def __init__(self, build, costs_in_fit=True, costs_in_predict=False):
        self.build = build
        self.costs_in_fit = costs_in_fit
        self.costs_in_predict = costs_in_predict

    def run(self, seed, X_train, y_train, costs_train, X_test, costs_test):
        model = self.build(seed)
        start = time.perf_counter()
        model.fit(X_train, y_train, **(costs_train if self.costs_in_fit else {}))
        seconds = time.perf_counter() - start
        predicted = model.predict(
            X_test, **(costs_test if self.costs_in_predict else {})
        )
        return np.asarray(predicted).astype(int), seconds


METHODS = {
    "PG": Method(lambda s: PGClassifier(scoring=savings_scorer(), random_state=s)),
    "ZO": Method(lambda s: ZOClassifier(scoring=savings_scorer(), random_state=s)),
    "CSLogit": Method(lambda s: CSLogitClassifier()),
    "ProfLogit": Method(lambda s: ProfLogitClassifier()),
    "CSBoost(LightGBM)": Method(
        lambda s: CSBoostClassifier(LGBMClassifier(random_state=s, verbose=-1))
    ),
    "CSThreshold(LogReg)": Method(
        lambda s: CSThresholdClassifier(
            LogisticRegression(max_iter=1000), random_state=s
        ),
        costs_in_fit=False,
        costs_in_predict=True,
    ),
    "CSThreshold(HGB)": Method(
        lambda s: CSThresholdClassifier(
            HistGradientBoostingClassifier(random_state=s), random_state=s
        ),
        costs_in_fit=False,
        costs_in_predict=True,
    ),
    "TunedThreshold(HGB)": Method(
        lambda s: TunedThresholdClassifierCV(
            HistGradientBoostingClassifier(random_state=s),
            scoring=savings_scorer(),
            random_state=s,
        )
    ),
    "LogReg": Method(lambda s: LogisticRegression(max_iter=1000), costs_in_fit=False),
    "HGB": Method(
        lambda s: HistGradientBoostingClassifier(random_state=s), costs_in_fit=False
    ),
}


def split(X, y, costs, seed):
    rows = np.arange(len(y))
    train, test = train_test_split(rows, test_size=0.3, stratify=y, random_state=seed)
    prep = preprocessing(X).fit(X.iloc[train])
    take = lambda index: {k: v[index] for k, v in costs.items()}  # noqa: E731
    return (
        prep.transform(X.iloc[train]),
        y[train],
        take(train),
        prep.transform(X.iloc[test]),
        y[test],
        take(test),
    )


def table(name, seeds, methods, max_rows):
    X, y, costs = data.load(name, max_rows)
    print(
        f"\n## {name}: {X.shape[0]} rows, {X.shape[1]} columns, {y.mean():.1%} positive"
    )
    print("| model | test savings | fit s |\n|---|---|---|")
    results = {m: ([], []) for m in methods}
    for seed in seeds:
        X_tr, y_tr, c_tr, X_te, y_te, c_te = split(X, y, costs, seed)
        for method in methods:
            predicted, seconds = METHODS[method].run(seed, X_tr, y_tr, c_tr, X_te, c_te)
            results[method][0].append(savings_score(y_te, predicted, **c_te))
            results[method][1].append(seconds)
    for method, (scores, seconds) in results.items():
        print(
            f"| {method} | {np.mean(scores):.3f} ± {np.std(scores):.3f} "
            f"| {np.mean(seconds):.1f} |"
        )
    return {m: float(np.mean(s)) for m, (s, _) in results.items()}


def summary(all_results):
    print("\n## Summary: best of PG/ZO against the best anchor (test savings)")
    print("| data set | best of PG/ZO | best anchor | difference |\n|---|---|---|---|")
    for name, results in all_results.items():
        ours = {m: v for m, v in results.items() if m in OURS}
        anchors = {m: v for m, v in results.items() if m not in OURS}
        if not ours or not anchors:
            continue
        o, a = max(ours, key=ours.get), max(anchors, key=anchors.get)
        print(
            f"| {name} | {ours[o]:.3f} ({o}) | {anchors[a]:.3f} ({a}) "
            f"| {ours[o] - anchors[a]:+.3f} |"
        )


def _seeds(text):
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-2")
    parser.add_argument("--task", default="", help="run the tables whose name has this")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--max-rows", type=int, default=None)
    args = parser.parse_args()
    sklearn.set_config(enable_metadata_routing=True)
    warnings.filterwarnings("ignore")
    methods = args.methods.split(",")
    all_results = {}
    for name in data.TABLES:
        if args.task in name:
            all_results[name] = table(name, _seeds(args.seeds), methods, args.max_rows)
    summary(all_results)


if __name__ == "__main__":
    main()
