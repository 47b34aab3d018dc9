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

from _held_out import choice_table
from _reference import imbalanced_problem
from quality import tasks as quality_tasks
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.linear_model import LogisticRegression

from sklearn_zopg import ZOClassifier


def tasks():
    data = {title: (X, y) for title, _, X, y in quality_tasks()}
    yield "noisy binary (quality.py)", "roc_auc", *data["noisy binary, ROC AUC"]
    yield "7% positives", "roc_auc", *imbalanced_problem()
    cancer = load_breast_cancer()
    yield "breast cancer", "roc_auc", cancer.data, cancer.target
    yield "imbalanced 3 classes", "roc_auc_ovr", *data["imbalanced 3 classes"]
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


def zo(**params):
    return lambda scoring, seed, n: ZOClassifier(
        scoring=scoring, random_state=seed, **params
    )


METHODS = {
    "output layer, lr 0.003": zo(perturb="last", lr=0.003),
    "every layer, lr 0.003": zo(perturb=None, lr=0.003),
    "every layer, lr 0.001 (auto)": zo(perturb="auto"),
    "LogisticRegression": lambda scoring, seed, n: LogisticRegression(max_iter=2000),
}

if __name__ == "__main__":
    choice_table(tasks(), METHODS, *(int(a) for a in sys.argv[1:]))
