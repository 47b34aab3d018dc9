"""
A hard feature gate trained by zeroth-order estimates
======================================================

The score counts the features a model reads: F1 minus 0.01 per feature
kept, on 30 features of which 4 carry the signal. The model multiplies its
inputs by a hard mask ``gate > 0`` before an MLP. No gradient reaches
``gate`` through the comparison, so ``ZOClassifier(perturb="gate")`` trains
it by zeroth-order estimates of the score, while
``surrogate_schedule="alternate"`` trains the MLP behind it by cross-entropy
gradients in between. The scorer reads the gate from the model it scores
(``estimator.net_.module_``): during training that is each perturbed model
in turn, so the cost per feature enters the estimates as the F1 does.

The usual answers keep the gate differentiable and put the cost in the loss,
as ``feature_cost`` times the expected number of open gates:

- the straight-through estimator: the hard mask forward, the gradient of
  ``sigmoid(gate)`` backward;
- the hard-concrete relaxation of Louizos et al. (2018): stochastic gates
  during training, their expected L0 norm as the penalty;
- features selected by an L1-penalized logistic regression, then the same
  MLP (``MLPClassifier``), its ``C`` chosen by cross-validation on the score
  itself.

All train 60 epochs (ZO: 20 of cross-entropy, then 40 on the score) with the
same MLP on the same rows; the table gives the test score and the features
kept over three seeds.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNetClassifier
from torch import nn

from sklearn_zopg import ZOClassifier

COST_PER_FEATURE = 0.01
HIDDEN = 32


def mlp(n_features, n_classes):
    return nn.Sequential(
        nn.Linear(n_features, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, n_classes)
    )


class HardGateMLP(nn.Module):
    """The MLP on ``X * (gate > 0)``: no gradient reaches ``gate``."""

    def __init__(self, n_features, n_classes, gate_init=0.05):
        super().__init__()
        self.gate = nn.Parameter(torch.full((n_features,), gate_init))
        self.mlp = mlp(n_features, n_classes)

    def kept(self):
        return self.gate > 0

    def forward(self, X):
        return self.mlp(X * self.kept().to(X.dtype))


class StraightThroughGateMLP(HardGateMLP):
    """The hard mask forward, the gradient of ``sigmoid(gate)`` backward."""

    def __init__(self, n_features, n_classes, gate_init=1.0):
        super().__init__(n_features, n_classes, gate_init)

    def open_gates(self):
        soft = torch.sigmoid(self.gate)
        return self.kept().to(soft.dtype) + soft - soft.detach()

    def forward(self, X):
        return self.mlp(X * self.open_gates())

    def expected_open(self):
        return self.open_gates().sum()


class HardConcreteGateMLP(nn.Module):
    """Hard-concrete gates (Louizos et al. 2018): stretched, clipped
    concrete samples in training, their deterministic value in evaluation;
    ``log_alpha`` starts at 0, the paper's initial drop rate of 0.5."""

    beta, gamma, zeta = 2 / 3, -0.1, 1.1

    def __init__(self, n_features, n_classes, log_alpha_init=0.0):
        super().__init__()
        self.log_alpha = nn.Parameter(torch.full((n_features,), log_alpha_init))
        self.mlp = mlp(n_features, n_classes)

    def gates(self, sample):
        if sample:
            u = torch.rand_like(self.log_alpha).clamp(1e-6, 1 - 1e-6)
            logit = (u.log() - (-u).log1p() + self.log_alpha) / self.beta
        else:
            logit = self.log_alpha
        stretched = torch.sigmoid(logit) * (self.zeta - self.gamma) + self.gamma
        return stretched.clamp(0, 1)

    def kept(self):
        with torch.no_grad():
            return self.gates(sample=False) > 0

    def forward(self, X):
        return self.mlp(X * self.gates(sample=self.training))

    def expected_open(self):
        shift = self.beta * np.log(-self.gamma / self.zeta)
        return torch.sigmoid(self.log_alpha - shift).sum()


class FeatureCostNet(NeuralNetClassifier):
    """Cross-entropy plus ``feature_cost`` times the expected open gates."""

    def __init__(self, *args, feature_cost=COST_PER_FEATURE, **kwargs):
        super().__init__(*args, **kwargs)
        self.feature_cost = feature_cost

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        return loss + self.feature_cost * self.module_.expected_open()


def features_kept(estimator):
    """How many features a fitted model reads (a gate's open entries, or
    the L1 selection's)."""
    if hasattr(estimator, "net_"):  # ZOClassifier, during training too
        return int(estimator.net_.module_.kept().sum())
    if hasattr(estimator, "module_"):  # the skorch nets
        return int(estimator.module_.kept().sum())
    return int(estimator.named_steps["selectfrommodel"].get_support().sum())


def f1_minus_feature_cost(estimator, X, y):
    """The score: F1 minus the cost of the features the model reads."""
    return f1_score(y, estimator.predict(X)) - COST_PER_FEATURE * features_kept(
        estimator
    )


def models(seed):
    common = dict(max_epochs=60, lr=0.01, batch_size=256, optimizer=torch.optim.Adam)
    common.update(criterion=nn.CrossEntropyLoss, train_split=None, verbose=0)
    l1_mlp = make_pipeline(
        SelectFromModel(LogisticRegression(l1_ratio=1, solver="liblinear")),
        MLPClassifier((HIDDEN,), batch_size=256, max_iter=60, random_state=seed),
    )
    return {
        "ZO on the gate, gradients on the MLP": ZOClassifier(
            module=HardGateMLP,
            perturb="gate",
            surrogate_schedule="alternate",
            scoring=f1_minus_feature_cost,
            max_epochs=40,
            lr=0.1,
            epsilon=0.5,
            random_state=seed,
        ),
        "straight-through gate": FeatureCostNet(
            StraightThroughGateMLP,
            module__n_features=30,
            module__n_classes=2,
            **common,
        ),
        "hard-concrete gates": FeatureCostNet(
            HardConcreteGateMLP,
            module__n_features=30,
            module__n_classes=2,
            **common,
        ),
        "L1-selected features + MLP": GridSearchCV(
            l1_mlp,
            {"selectfrommodel__estimator__C": [0.01, 0.03, 0.1, 0.3]},
            scoring=f1_minus_feature_cost,
        ),
    }


def one_seed(seed):
    X, y = make_classification(
        n_samples=3000,
        n_features=30,
        n_informative=4,
        n_redundant=0,
        weights=[0.8],
        flip_y=0.02,
        random_state=seed,
    )
    X = StandardScaler().fit_transform(X).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=seed
    )
    results = {}
    for name, model in models(seed).items():
        torch.manual_seed(seed)  # the skorch nets' initial weights
        with warnings.catch_warnings():
            # MLPClassifier stops at 60 epochs, as the others do, converged or not
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        fitted = getattr(model, "best_estimator_", model)
        results[name] = (
            f1_minus_feature_cost(fitted, X_test, y_test),
            features_kept(fitted),
        )
    return results


seeds = [0, 1, 2]
runs = [one_seed(seed) for seed in seeds]
names = list(runs[0])
scores = np.array([[run[name][0] for run in runs] for name in names])
kept = np.array([[run[name][1] for run in runs] for name in names])

print(f"{'method':40s} {'F1 - 0.01 x features':>22s} {'features kept':>15s}")
for name, score, n_kept in zip(names, scores, kept):
    print(
        f"{name:40s} {score.mean():>14.3f} ± {score.std():.3f} "
        f"{n_kept.mean():>9.1f} ± {n_kept.std():.1f}"
    )

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, score, n_kept in zip(names, scores, kept):
    ax.scatter(n_kept, score, label=name)
ax.set_xlabel("features kept (4 informative of 30)")
ax.set_ylabel("test F1 - 0.01 x features kept")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
