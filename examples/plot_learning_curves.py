"""
Learning curves from the training history
=========================================

Every fit keeps skorch's history in ``net_.history``: per epoch, the training
score (the scorer on the sampled labels or perturbed models), its spread,
the loss and the duration. :class:`~sklearn_zopg.ScoreHistoryDisplay` plots
it. ZOClassifier's curve shows its two phases: cross-entropy epochs
(``surrogate_epochs``), then training on the score; with
``early_stopping=True`` the validation score and the kept epoch appear too.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ScoreHistoryDisplay, ZOClassifier

X, y = make_classification(
    n_samples=1500,
    n_features=20,
    n_informative=5,
    weights=[0.93],
    flip_y=0.02,
    random_state=0,
)
X = StandardScaler().fit_transform(X)

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
models = (
    PGClassifier(scoring="f1", max_epochs=60, random_state=0),
    ZOClassifier(scoring="f1", max_epochs=60, random_state=0),
    ZOClassifier(scoring="f1", max_epochs=60, early_stopping=True, random_state=0),
)
for ax, est in zip(axes, models):
    ScoreHistoryDisplay.from_estimator(est.fit(X, y), ax=ax)
axes[2].set_title("ZOClassifier, f1, early_stopping=True")
fig.tight_layout()
