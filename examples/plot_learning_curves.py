"""
Learning curves from the training history
=========================================

Every fit keeps skorch's history in ``net_.history``: per epoch, the training
score (the scorer on the sampled labels or perturbed models), the loss and
the duration. ZOClassifier's curve shows its two phases: cross-entropy
epochs (``surrogate_epochs``), then training on the score.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier

X, y = make_classification(
    n_samples=1500,
    n_features=20,
    n_informative=5,
    weights=[0.93],
    flip_y=0.02,
    random_state=0,
)
X = StandardScaler().fit_transform(X)

fig, ax = plt.subplots(figsize=(6, 3.5))
for Estimator in (PGClassifier, ZOClassifier):
    est = Estimator(scoring="f1", max_epochs=60, random_state=0).fit(X, y)
    history = est.net_.history
    ax.plot(history[:, "epoch"], history[:, "train_score"], label=Estimator.__name__)
ax.axvline(20, color="grey", linestyle=":", label="ZO: end of surrogate epochs")
ax.set(xlabel="epoch", ylabel="training F1 (batch mean)")
ax.legend()
fig.tight_layout()
