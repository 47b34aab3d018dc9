"""How ``ZOClassifier(perturb="auto")`` was chosen: ranking scorers.

Five tasks scored by the order of the rows' scores (ROC AUC binary and
one-vs-rest, average precision), a held-out stratified half, standardized
features; mean test score over a range of seeds of ZO perturbing the output
layer only (the earlier default) or every layer at ``lr`` 0.003 or 0.001,
and of ``LogisticRegression`` for reference.

Run: ``python benchmarks/perturb_choice.py [first_seed] [end_seed]``
(0 5 chose the default; 5 10 confirmed it on fresh seeds).
"""

import sys

import numpy as np
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import ZOClassifier
from sklearn_zopg._reference import imbalanced_problem


def tasks():
    X, y = make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=5,
        weights=[0.9],
        flip_y=0.05,
        random_state=2,
    )
    yield "noisy binary (quality.py)", "roc_auc", X, y
    X, y = imbalanced_problem()
    yield "7% positives", "roc_auc", X, y
    cancer = load_breast_cancer()
    yield "breast cancer", "roc_auc", cancer.data, cancer.target
    X, y = make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=6,
        n_classes=3,
        weights=[0.8, 0.15, 0.05],
        flip_y=0.02,
        random_state=1,
    )
    yield "imbalanced 3 classes", "roc_auc_ovr", X, y
    X, y = make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=8,
        n_redundant=0,
        weights=[0.8],
        flip_y=0.03,
        class_sep=0.7,
        random_state=7,
    )
    yield "hard, 20% positives", "average_precision", X, y


METHODS = {
    "output layer, lr 0.003": dict(perturb="last", lr=0.003),
    "every layer, lr 0.003": dict(perturb=None, lr=0.003),
    "every layer, lr 0.001 (auto)": dict(perturb="auto"),
}


def main(first=0, end=5):
    print(f"Mean test score over seeds {first}-{end - 1}\n")
    names = [*METHODS, "LogisticRegression"]
    print("| task | scorer | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for title, scoring, X, y in tasks():
        scorer = get_scorer(scoring)
        row = []
        for name in names:
            scores = []
            for seed in range(first, end):
                X_tr, X_te, y_tr, y_te = train_test_split(
                    X, y, test_size=0.5, stratify=y, random_state=seed
                )
                if name in METHODS:
                    model = ZOClassifier(
                        scoring=scoring, random_state=seed, **METHODS[name]
                    )
                else:
                    model = LogisticRegression(max_iter=2000)
                model = make_pipeline(StandardScaler(), model).fit(X_tr, y_tr)
                scores.append(scorer(model, X_te, y_te))
            row.append(f"{np.mean(scores):.3f}")
        print(f"| {title} | {scoring} | " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
