"""Multilabel quality: PG and ZO against the surrogate losses users pick.

For each task (an indicator ``y``; a scorer: macro F1 or samples F1), over
several seeds and a held-out half:

- ``PGClassifier`` and ``ZOClassifier``, defaults, ``scoring=`` the task's;
- (h1) per-label binary cross-entropy: the same 64-unit MLP, same optimizer,
  learning rate, epochs and batch size (skorch), thresholded at 0.5;
- (h2) sigmoidF1 (Bénédict et al. 2021): the same MLP trained on
  ``1 - soft F1``, the F1 of the task's average computed from sigmoid
  probabilities (macro: per label; samples: per row);
- (h3) ``MLPClassifier`` (sklearn's own multilabel MLP, BCE);
- (h4) ``MultiOutputClassifier(TunedThresholdClassifierCV(LogisticRegression))``:
  one logistic regression per label, its threshold tuned for F1.

Prints a markdown table of mean ± std test score and mean fit time, and
for the generated rare labels the Bayes limit on the same test halves
(:func:`limit_of`).
Run: ``python benchmarks/multilabel_quality.py [n_seeds]``.
"""

import sys
import warnings

import numpy as np
import torch
from _held_out import held_out, test_halves
from _reference import rare_labels_with_posterior
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits, make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, get_scorer
from sklearn.model_selection import TunedThresholdClassifierCV
from sklearn.multioutput import MultiOutputClassifier
from sklearn.neural_network import MLPClassifier
from skorch import NeuralNet

from sklearn_zopg import PGClassifier, ZOClassifier
from sklearn_zopg._modules import MLP
from sklearn_zopg._surrogates import soft_f1


def digit_attributes():
    """A real multilabel task from ``load_digits``: is the digit even, at
    least 5, prime, a zero, a seven (10% positives for the last two)."""
    digits = load_digits()
    t = digits.target
    Y = np.stack([t % 2 == 0, t >= 5, np.isin(t, [2, 3, 5, 7]), t == 0, t == 7], 1)
    return digits.data, Y.astype(int)


POSTERIORS = {}  # title -> each entry's true probability, for a generated task


def tasks():
    title = "linear scores, 4 labels of 8%"
    X, Y, POSTERIORS[title] = rare_labels_with_posterior()
    for scoring in ("f1_macro", "f1_samples"):
        yield "linear scores, 4 labels of 8%", scoring, X, Y
    X, Y = make_multilabel_classification(
        2000, 20, n_classes=8, n_labels=1, allow_unlabeled=False, random_state=0
    )
    yield "make_multilabel_classification, 8 labels", "f1_macro", X, Y
    X, Y = digit_attributes()
    yield "digits: 5 attributes", "f1_macro", X, Y


def _best_thresholded(score, P, Y):
    """The best score of ``P > t`` over 201 quantiles ``t`` of ``P``."""
    cuts = np.unique(np.quantile(P, np.linspace(0, 1, 201)))
    return max(score(Y, (P > t).astype(int)) for t in cuts)


def _expected_f1_rule(P):
    """Each row's label set of greatest expected F1 (sklearn's
    ``f1_samples``: 0 for a row with no true and no predicted label) under
    independent labels of probabilities ``P``, by enumerating the ``2^L``
    predicted and true sets."""
    L = P.shape[1]
    sets = ((np.arange(2**L)[:, None] >> np.arange(L)) & 1).astype(float)
    both = sets @ sets.T  # |S & T| for predicted S, true T
    sizes = sets.sum(1)
    total = sizes[:, None] + sizes[None, :]
    f1 = np.divide(2 * both, total, out=np.zeros_like(both), where=total > 0)
    # P(T | x) for every true set T: rows (n, 2^L)
    p_true = np.prod(np.where(sets[None] == 1, P[:, None], 1 - P[:, None]), -1)
    best = (p_true @ f1.T).argmax(1)  # expected F1 of each predicted set
    return sets[best].astype(int)


def limit_of(title, scoring, Y, seeds):
    """The best score on the true probabilities on each test half:
    ``f1_macro``, each label's best threshold (the labels are scored apart);
    ``f1_samples``, each row's set of greatest expected F1 (the Bayes rule).
    "-" for a task that was not generated."""
    if title not in POSTERIORS:
        return "-"
    limits = []
    for P, Y_test in test_halves(POSTERIORS[title], Y, seeds, stratify=False):
        if scoring == "f1_macro":
            per_label = [
                _best_thresholded(f1_score, P[:, j], Y_test[:, j])
                for j in range(Y.shape[1])
            ]
            limits.append(np.mean(per_label))
        else:
            predicted = _expected_f1_rule(P)
            limits.append(f1_score(Y_test, predicted, average="samples"))
    return f"{np.mean(limits):.3f} ± {np.std(limits):.3f}"


class SurrogateMLP(ClassifierMixin, BaseEstimator):
    """The default MLP trained by skorch on a multilabel loss, thresholded at 0.5."""

    def __init__(self, loss="bce", average="macro", seed=0):
        self.loss = loss
        self.average = average
        self.seed = seed

    def fit(self, X, Y):
        torch.manual_seed(self.seed)
        X = np.asarray(X, dtype=np.float32)
        Y = np.asarray(Y, dtype=np.float32)
        if self.loss == "bce":
            criterion = torch.nn.BCEWithLogitsLoss
        else:
            average = self.average

            class SoftF1(torch.nn.Module):
                def forward(self, logits, target):
                    return 1 - soft_f1(torch.sigmoid(logits), target, average)

            criterion = SoftF1
        self.classes_ = np.arange(Y.shape[1])
        self.net_ = NeuralNet(
            MLP(X.shape[1], Y.shape[1]),
            criterion=criterion,
            optimizer=torch.optim.Adam,
            lr=0.01,
            max_epochs=100,
            batch_size=256,
            train_split=None,
            verbose=0,
        ).fit(X, Y)
        return self

    def predict(self, X):
        logits = self.net_.forward(np.asarray(X, dtype=np.float32))
        return (logits > 0).numpy().astype(int)


def methods(scoring):
    average = scoring.split("_")[1]
    yield "PG", lambda s: PGClassifier(scoring=scoring, random_state=s)
    yield "ZO", lambda s: ZOClassifier(scoring=scoring, random_state=s)
    yield "(h1) MLP, BCE per label", lambda s: SurrogateMLP("bce", seed=s)
    yield "(h2) MLP, sigmoidF1", lambda s: SurrogateMLP("soft_f1", average, s)
    yield "(h3) MLPClassifier", lambda s: MLPClassifier((64,), random_state=s)
    yield (
        "(h4) LogReg + tuned threshold per label",
        lambda s: MultiOutputClassifier(
            TunedThresholdClassifierCV(
                LogisticRegression(max_iter=2000), scoring="f1", random_state=s
            )
        ),
    )


def main(n_seeds=3):
    warnings.simplefilter("ignore")  # ill-defined F on empty rows, convergence
    print(
        f"Test score, mean ± std over {n_seeds} seeds (50/50 split, "
        "standardized features); fit time in seconds\n"
    )
    print("| task | scorer | method | test score | fit time | Bayes limit |")
    print("|---|---|---|---|---|---|")
    for title, scoring, X, Y in tasks():
        scorer = get_scorer(scoring)
        limit = limit_of(title, scoring, Y, range(n_seeds))
        for method, make in methods(scoring):
            scores, times = held_out(
                lambda seed, n, make=make: make(seed),
                X,
                Y,
                scorer,
                range(n_seeds),
                stratify=False,
            )
            print(
                f"| {title} | {scoring} | {method} | {np.mean(scores):.3f} ± "
                f"{np.std(scores):.3f} | {np.mean(times):.2f} | {limit} |",
                flush=True,
            )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
