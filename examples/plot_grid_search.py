"""
GridSearchCV over baselines and sample counts
=============================================

Policy gradient with ``credit="batch"`` depends on its baseline and on the
number of sampled label vectors. ``GridSearchCV`` searches them like any
hyper-parameter (``n_jobs=2``), here on F1 of an imbalanced problem.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier

X, y = make_classification(
    n_samples=1500,
    n_features=20,
    n_informative=5,
    weights=[0.93],
    flip_y=0.02,
    random_state=0,
)
X = StandardScaler().fit_transform(X)
grid = {
    "baseline": ["none", "mean", "optimal", "loo", "greedy"],
    "n_samples": [2, 8, 32],
}
search = GridSearchCV(
    PGClassifier(scoring="f1", credit="batch", max_epochs=40, random_state=0),
    grid,
    scoring="f1",
    cv=3,
    n_jobs=2,
)
search.fit(X, y)
print("best:", search.best_params_, round(search.best_score_, 3))

means = np.array(search.cv_results_["mean_test_score"]).reshape(
    len(grid["baseline"]), len(grid["n_samples"])
)
fig, ax = plt.subplots(figsize=(6, 3.5))
for row, baseline in zip(means, grid["baseline"]):
    ax.plot(grid["n_samples"], row, marker="o", label=baseline)
ax.set(xscale="log", xlabel="n_samples (K)", ylabel="cross-validated F1")
ax.set_xticks(grid["n_samples"], [str(k) for k in grid["n_samples"]])
ax.minorticks_off()
ax.legend(title="baseline")
fig.tight_layout()
