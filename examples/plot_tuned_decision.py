"""
Tuning the decision of gradient boosting for the score
======================================================

Gradient boosting is often the strongest model on a table, but its argmax
decision serves accuracy. scikit-learn tunes the decision for another score
only for two classes (``TunedThresholdClassifierCV``).
:class:`~sklearn_zopg.TunedDecisionClassifierCV` tunes one offset per
class on cross-fitted predictions for any classifier and any number of
classes. Here: three classes (70/20/10%), scored by balanced accuracy and
by a cost matrix where missing the rare class costs 10. For the cost, the
tuning starts from the least-expected-cost rule on the probabilities.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split

from sklearn_zopg import TunedDecisionClassifierCV, make_cost_scorer

X, y = make_classification(
    n_samples=3000,
    n_features=12,
    n_informative=6,
    n_classes=3,
    weights=[0.7, 0.2, 0.1],
    class_sep=0.6,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
costs = np.array([[0, 1, 1], [1, 0, 1], [10, 10, 0]])  # rows: true class
scorers = {
    "balanced accuracy": get_scorer("balanced_accuracy"),
    "minus the mean cost": make_cost_scorer(costs, labels=[0, 1, 2]),
}

boosting = HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
results = {}
for name, scorer in scorers.items():
    tuned = TunedDecisionClassifierCV(
        HistGradientBoostingClassifier(random_state=0), scoring=scorer
    ).fit(X_train, y_train)
    proba = boosting.predict_proba(X_test)
    results[name] = {
        "argmax": scorer(boosting, X_test, y_test),
        "tuned decision": scorer(tuned, X_test, y_test),
    }
    if "cost" in name:  # the least-expected-cost rule, without tuning
        least = np.argmin(proba @ costs, axis=1)
        results[name]["least expected cost"] = -costs[y_test, least].mean()
    print(f"{name}: offsets {np.round(tuned.offsets_, 2)}")
    for rule, value in results[name].items():
        print(f"  {rule}: {value:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(8, 3))
for ax, (name, values) in zip(axes, results.items()):
    ax.barh(
        list(values), list(values.values()), color=["grey", "C0", "C1"][: len(values)]
    )
    ax.set_title(f"test {name}")
    for i, v in enumerate(values.values()):
        ax.text(v, i, f" {v:.3f}", va="center")
    low, high = min(values.values()), max(values.values())
    ax.set_xlim(min(0, low * 1.3), max(0, high * 1.3) or 0.05)
fig.tight_layout()
