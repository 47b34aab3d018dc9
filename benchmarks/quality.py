"""Quality benchmark: PG and ZO against what a user would otherwise pick.

For each task (a dataset that ships with scikit-learn or a generated one, a
scorer), over several seeds and a held-out stratified half:

- PGClassifier and ZOClassifier, defaults, ``scoring=`` the task's scorer,
  again with ``early_stopping=True``, and tuned as a user would:
  ``GridSearchCV`` over a linear or the default 64-unit module, with and
  without early stopping (3-fold, same scorer);
- (a) the same MLP trained by skorch with cross-entropy;
- (b) ``LogisticRegression``;
- (c) ``TunedThresholdClassifierCV(LogisticRegression)`` tuned for the same
  scorer (binary tasks);
- (d) CMA-ES (``cma``) in ZO's place inside the same hybrid: the same
  cross-entropy warm start, then CMA-ES on the same output-layer weights
  with as many scorer evaluations (on batches of the same size) as ZO makes.
- (e) the same MLP trained on a soft surrogate of the task's score
  (``sklearn_zopg._surrogates``: soft F-beta, soft macro F1, soft balanced
  accuracy, soft MCC, the Lovász hinge for Jaccard, the pairwise sigmoid
  AUC), same optimizer, learning rate, epochs and batch size;
- (f) the same MLP on class-weighted cross-entropy (weights n / (C n_c));
- (g) for ROC AUC, LibAUC's AUC-margin loss with its PESG optimizer, when
  ``libauc`` is importable (``pip install --no-deps libauc``: its declared
  dependencies, torchvision, opencv and torch_geometric among them, are not
  needed for the loss and optimizer, so it is not in the ``benchmarks``
  extra);
- (i) another model family: ``HistGradientBoostingClassifier`` with
  ``class_weight="balanced"``, and with its threshold tuned for the scorer
  (binary tasks).

Prints a markdown table of mean ± std test score and mean fit time.
Run: ``python benchmarks/quality.py [n_seeds] [task title part]`` (needs
``pip install cma``).
"""

import sys

import cma
import numpy as np
import torch
from _bayes import bayes_limit, make_classification_with_posterior
from _held_out import held_out, test_halves
from _reference import (
    as_skorch_input,
    cross_entropy_net,
    imbalanced_problem_params,
)
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    fbeta_score,
    get_scorer,
    jaccard_score,
    make_scorer,
    matthews_corrcoef,
    roc_auc_score,
)
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
)

from sklearn_zopg import PGClassifier, ZOClassifier, make_reward
from sklearn_zopg._surrogates import (
    lovasz_hinge,
    soft_auc,
    soft_balanced_accuracy,
    soft_fbeta,
    soft_macro_f1,
    soft_mcc,
)
from sklearn_zopg.rewards._scorer_parts import scorer_parts
from sklearn_zopg.zo._perturbed import select_parameters

F2 = make_scorer(fbeta_score, beta=2)


POSTERIORS = {}  # title -> the true posterior of a generated task's rows


def _generated(title, **params):
    """``make_classification(**params)``, its posterior kept for the limit."""
    X, y, POSTERIORS[title] = make_classification_with_posterior(**params)
    return X, y


def tasks():
    title = "imbalanced binary (7% pos.)"
    yield title, "f1", *_generated(title, **imbalanced_problem_params())
    digits = load_digits()
    yield "digits, 10 classes", "f1_macro", digits.data, digits.target
    title = "imbalanced 3 classes"
    X, y = _generated(
        title,
        n_samples=2000,
        n_features=20,
        n_informative=6,
        n_classes=3,
        weights=[0.8, 0.15, 0.05],
        flip_y=0.02,
        random_state=1,
    )
    yield title, "balanced_accuracy", X, y
    cancer = load_breast_cancer()
    yield (
        "breast cancer, F2 (malignant=0)",
        make_scorer(fbeta_score, beta=2, pos_label=0),
        cancer.data,
        cancer.target,
    )
    title = "noisy binary, ROC AUC"
    X, y = _generated(
        title,
        n_samples=2000,
        n_features=20,
        n_informative=5,
        weights=[0.9],
        flip_y=0.05,
        random_state=2,
    )
    yield title, "roc_auc", X, y
    title = "imbalanced binary (15% pos.), MCC"
    X, y = _generated(
        title,
        n_samples=2000,
        n_features=20,
        n_informative=5,
        weights=[0.85],
        flip_y=0.03,
        random_state=3,
    )
    yield title, "matthews_corrcoef", X, y
    POSTERIORS["same, cost 5 per missed positive"] = POSTERIORS[title]
    yield "same, cost 5 per missed positive", COST, X, y
    title = "imbalanced binary (10% pos.), Jaccard"
    X, y = _generated(
        title,
        n_samples=2000,
        n_features=20,
        n_informative=5,
        weights=[0.9],
        flip_y=0.02,
        random_state=4,
    )
    yield title, "jaccard", X, y


def limit_of(title, scoring, y, seeds):
    """The Bayes limit on each seed's test split (``held_out``'s), as
    "mean ± std", or "-" for a task that was not generated."""
    if title not in POSTERIORS:
        return "-"
    prior = np.bincount(y) / len(y)
    limits = [
        bayes_limit(scoring, P_test, y_test, prior)
        for P_test, y_test in test_halves(POSTERIORS[title], y, seeds)
    ]
    return f"{np.mean(limits):.3f} ± {np.std(limits):.3f}"


def negative_cost(y_true, y_pred):
    """Minus the mean cost: 5 per missed positive, 1 per false alarm."""
    (_, false_alarms), (misses, _) = confusion_matrix(y_true, y_pred, labels=[0, 1])
    return -(5 * misses + false_alarms) / len(y_true)


COST = make_scorer(negative_cost)


class CMAHybrid(ClassifierMixin, BaseEstimator):
    """Cross-entropy warm start, then CMA-ES on the output layer (ZO's budget)."""

    def __init__(self, scoring="accuracy", seed=0):
        self.scoring = scoring
        self.seed = seed

    def fit(self, X, y):
        zo = ZOClassifier(scoring=self.scoring, random_state=self.seed)
        n_batches = -(-len(y) // zo.batch_size)
        budget = zo.max_epochs * n_batches * (zo.n_samples + 1)
        # ZO's warm start (its surrogate epochs at surrogate_lr), then one
        # score epoch at a negligible rate: the starting point CMA-ES gets.
        self.est = clone(zo).set_params(max_epochs=1, lr=1e-12).fit(X, y)
        module = self.est.net_.module_
        params = list(select_parameters(module, "last").values())
        reward = make_reward(self.scoring, classes=self.est.classes_)
        Xt = torch.as_tensor(X, dtype=torch.float64)
        yt = torch.as_tensor(np.searchsorted(self.est.classes_, y))
        x0 = torch.cat([p.detach().flatten() for p in params]).numpy()
        rng = np.random.default_rng(self.seed)
        es = cma.CMAEvolutionStrategy(
            x0, 0.05, {"seed": self.seed + 1, "verbose": -9, "maxfevals": budget}
        )

        def load(flat):
            start = 0
            with torch.no_grad():
                for p in params:
                    p.copy_(torch.as_tensor(flat[start : start + p.numel()]).view_as(p))
                    start += p.numel()

        # Exactly ZO's budget: CMA-ES's own stopping rules (flat fitness is
        # common for argmax scores) would end it early.
        while es.countevals < budget:
            candidates = es.ask()
            rows = torch.as_tensor(rng.choice(len(y), zo.batch_size, replace=False))
            losses = []
            for flat in candidates:
                load(flat)
                with torch.no_grad():
                    logits = module(Xt[rows])[None]
                losses.append(-float(reward.score_logits(yt[rows], logits)[0]))
            es.tell(candidates, losses)
        load(es.result.xfavorite)
        self.classes_ = self.est.classes_
        return self

    def predict(self, X):
        return self.est.predict(X)

    def predict_proba(self, X):
        return self.est.predict_proba(X)

    def decision_function(self, X):
        return self.est.decision_function(X)


def surrogate_for(scoring):
    """``1 - soft score`` of (logits, y) for the task's scorer, or None."""
    parts = scorer_parts(get_scorer(scoring) if isinstance(scoring, str) else scoring)
    func, kw = parts.score_func, parts.kwargs

    def positive_proba(logits, positive):
        return torch.softmax(logits, 1)[:, positive]

    if func in (f1_score, fbeta_score) and kw.get("average", "binary") == "binary":
        positive = kw.get("pos_label", 1)
        beta = kw.get("beta", 1.0)
        return lambda logits, y: (
            1
            - soft_fbeta(
                positive_proba(logits, positive), (y == positive).double(), beta
            )
        )
    if func is f1_score and kw.get("average") == "macro":
        return lambda logits, y: 1 - soft_macro_f1(torch.softmax(logits, 1), y)
    if func is balanced_accuracy_score:
        return lambda logits, y: 1 - soft_balanced_accuracy(torch.softmax(logits, 1), y)
    if func is matthews_corrcoef:
        return lambda logits, y: 1 - soft_mcc(torch.softmax(logits, 1), y)
    if func is jaccard_score:
        return lambda logits, y: lovasz_hinge(logits[:, 1] - logits[:, 0], y)
    if func is roc_auc_score:
        return lambda logits, y: 1 - soft_auc(logits[:, 1] - logits[:, 0], y)
    return None


class _Loss(torch.nn.Module):
    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, logits, y):
        return self.function(logits, y)


class SurrogateMLP(ClassifierMixin, BaseEstimator):
    """The same MLP trained by skorch on a soft surrogate, or on class-weighted
    cross-entropy (``loss=None``)."""

    def __init__(self, loss=None, seed=0):
        self.loss = loss
        self.seed = seed

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        y_index = np.searchsorted(self.classes_, y)
        if self.loss is None:
            counts = np.bincount(y_index)
            weight = len(y) / (len(counts) * counts)
            params = {"criterion__weight": torch.tensor(weight, dtype=torch.float32)}
        else:
            params = {"criterion": _Loss, "criterion__function": self.loss}
        self.net = cross_entropy_net(
            X.shape[1], len(self.classes_), self.seed, **params
        )
        self.net.fit(*as_skorch_input(X, y_index))
        return self

    def _logits(self, X):
        return self.net.forward(as_skorch_input(X))

    def predict(self, X):
        return self.classes_[self._logits(X).argmax(1).numpy()]

    def predict_proba(self, X):
        return torch.softmax(self._logits(X), 1).numpy()

    def decision_function(self, X):
        logits = self._logits(X).numpy()
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits


class LibAUCMLP(ClassifierMixin, BaseEstimator):
    """The same MLP (one output) trained with LibAUC's AUC-margin loss and
    PESG, 100 epochs of batches of 256, its documented defaults otherwise."""

    def __init__(self, seed=0):
        self.seed = seed

    def fit(self, X, y):
        from libauc.losses import AUCMLoss
        from libauc.optimizers import PESG

        from sklearn_zopg._modules import MLP

        torch.manual_seed(self.seed)
        self.classes_ = np.unique(y)
        X = torch.as_tensor(X, dtype=torch.float32)
        target = torch.as_tensor(y == self.classes_[1], dtype=torch.float32)
        self.module = MLP(X.shape[1], 1)
        loss_fn = AUCMLoss()
        optimizer = PESG(self.module.parameters(), loss_fn=loss_fn, lr=0.1)
        generator = torch.Generator().manual_seed(self.seed)
        for _ in range(100):
            for rows in torch.randperm(len(y), generator=generator).split(256):
                score = torch.sigmoid(self.module(X[rows]))
                loss = loss_fn(score, target[rows, None])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        return self

    def decision_function(self, X):
        with torch.no_grad():
            return self.module(torch.as_tensor(X, dtype=torch.float32))[:, 0].numpy()

    def predict(self, X):
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def libauc_available():
    try:
        import libauc  # noqa: F401
    except ImportError:
        return False
    return True


class SkorchCE(ClassifierMixin, BaseEstimator):
    """The same MLP trained by skorch with cross-entropy."""

    def __init__(self, seed=0):
        self.seed = seed

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.net = cross_entropy_net(X.shape[1], len(self.classes_), self.seed)
        self.net.fit(*as_skorch_input(X, np.searchsorted(self.classes_, y)))
        return self

    def predict(self, X):
        return self.classes_[self.net.predict(as_skorch_input(X))]

    def predict_proba(self, X):
        return self.net.predict_proba(as_skorch_input(X))


def methods(scoring, binary):
    yield "PG", lambda s: PGClassifier(scoring=scoring, random_state=s)
    yield "ZO", lambda s: ZOClassifier(scoring=scoring, random_state=s)
    yield (
        "PG, early_stopping=True",
        lambda s: PGClassifier(scoring=scoring, early_stopping=True, random_state=s),
    )
    yield (
        "ZO, early_stopping=True",
        lambda s: ZOClassifier(scoring=scoring, early_stopping=True, random_state=s),
    )
    for name, Estimator in (("PG", PGClassifier), ("ZO", ZOClassifier)):
        yield (
            f"{name}, GridSearchCV(hidden_layer_sizes, early_stopping)",
            lambda s, Estimator=Estimator: GridSearchCV(
                Estimator(scoring=scoring, random_state=s),
                {"hidden_layer_sizes": [(), (64,)], "early_stopping": [False, True]},
                scoring=scoring,
                cv=StratifiedKFold(3, shuffle=True, random_state=s),
            ),
        )
    yield "(a) skorch CE", SkorchCE
    yield "(b) LogReg", lambda s: LogisticRegression(max_iter=2000, random_state=s)
    if binary:
        yield (
            "(c) LogReg + tuned threshold",
            lambda s: TunedThresholdClassifierCV(
                LogisticRegression(max_iter=2000), scoring=scoring, random_state=s
            ),
        )
    yield "(d) CE + CMA-ES", lambda s: CMAHybrid(scoring, s)
    surrogate = surrogate_for(scoring)
    if surrogate is not None:
        yield "(e) MLP, soft surrogate", lambda s: SurrogateMLP(surrogate, s)
    yield "(f) MLP, class-weighted CE", lambda s: SurrogateMLP(None, s)
    if surrogate_for(scoring) is not None and "auc" in str(scoring):
        if libauc_available():
            yield "(g) LibAUC AUC-margin + PESG", LibAUCMLP
    yield (
        "(i) HistGradientBoosting, balanced",
        lambda s: HistGradientBoostingClassifier(
            class_weight="balanced", random_state=s
        ),
    )
    if binary:
        yield (
            "(i) HistGradientBoosting + tuned threshold",
            lambda s: TunedThresholdClassifierCV(
                HistGradientBoostingClassifier(random_state=s),
                scoring=scoring,
                random_state=s,
            ),
        )


def main(n_seeds=3, only=""):
    print(
        f"Test score, mean ± std over {n_seeds} seeds (50/50 stratified split, "
        "standardized features); fit time in seconds\n"
    )
    print("| task | scorer | method | test score | fit time | Bayes limit |")
    print("|---|---|---|---|---|---|")
    for title, scoring, X, y in tasks():
        if only not in title:
            continue
        limit = limit_of(title, scoring, y, range(n_seeds))
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
        name = scoring
        if not isinstance(scoring, str):
            name = scorer_parts(scoring).score_func.__name__
        binary = len(np.unique(y)) == 2
        for method, make in methods(scoring, binary):
            if method.startswith("PG") and make_reward(scoring).needs_scores:
                continue
            scores, times = held_out(
                lambda seed, n, make=make: make(seed), X, y, scorer, range(n_seeds)
            )
            print(
                f"| {title} | {name} | {method} | {np.mean(scores):.3f} ± "
                f"{np.std(scores):.3f} | {np.mean(times):.2f} | {limit} |",
                flush=True,
            )


if __name__ == "__main__":
    main(*(int(a) if a.isdigit() else a for a in sys.argv[1:]))
