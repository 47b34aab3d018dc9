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

Prints a markdown table of mean ± std test score and mean fit time.
Run: ``python benchmarks/quality.py [n_seeds]`` (needs ``pip install cma``).
"""

import sys
import time

import cma
import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import fbeta_score, get_scorer, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier, make_reward
from sklearn_zopg._reference import (
    as_skorch_input,
    cross_entropy_net,
    imbalanced_problem,
)
from sklearn_zopg.zo._perturbed import select_parameters

F2 = make_scorer(fbeta_score, beta=2)


def tasks():
    X, y = imbalanced_problem()
    yield "imbalanced binary (7% pos.)", "f1", X, y
    digits = load_digits()
    yield "digits, 10 classes", "f1_macro", digits.data, digits.target
    X, y = make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=6,
        n_classes=3,
        weights=[0.8, 0.15, 0.05],
        flip_y=0.02,
        random_state=1,
    )
    yield "imbalanced 3 classes", "balanced_accuracy", X, y
    cancer = load_breast_cancer()
    yield (
        "breast cancer, F2 (malignant=0)",
        make_scorer(fbeta_score, beta=2, pos_label=0),
        cancer.data,
        cancer.target,
    )
    X, y = make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=5,
        weights=[0.9],
        flip_y=0.05,
        random_state=2,
    )
    yield "noisy binary, ROC AUC", "roc_auc", X, y


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


def main(n_seeds=3):
    print(
        f"Test score, mean ± std over {n_seeds} seeds (50/50 stratified split, "
        "standardized features); fit time in seconds\n"
    )
    print("| task | scorer | method | test score | fit time |")
    print("|---|---|---|---|---|")
    for title, scoring, X, y in tasks():
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
        name = scoring if isinstance(scoring, str) else "fbeta(beta=2)"
        binary = len(np.unique(y)) == 2
        for method, make in methods(scoring, binary):
            if method.startswith("PG") and make_reward(scoring).needs_scores:
                continue
            scores, times = [], []
            for seed in range(n_seeds):
                X_tr, X_te, y_tr, y_te = train_test_split(
                    X, y, test_size=0.5, stratify=y, random_state=seed
                )
                model = make_pipeline(StandardScaler(), make(seed))
                start = time.perf_counter()
                model.fit(X_tr, y_tr)
                times.append(time.perf_counter() - start)
                scores.append(scorer(model, X_te, y_te))
            print(
                f"| {title} | {name} | {method} | {np.mean(scores):.3f} ± "
                f"{np.std(scores):.3f} | {np.mean(times):.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
