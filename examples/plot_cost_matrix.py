"""
A multiclass cost matrix as the score
=====================================

Three classes; missing the rare one (class 2) costs 10, any other error 1.
scikit-learn's threshold tuning is binary only, and class weights are the
usual answer. :func:`~sklearn_zopg.make_cost_scorer` states the cost itself
as an sklearn scorer (minus the mean cost), which ``PGClassifier`` and
``ZOClassifier`` train on, and which scores every model below.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier, make_cost_scorer

costs = np.array([[0, 1, 1], [1, 0, 1], [10, 10, 0]])  # rows: true, columns: predicted
cost = make_cost_scorer(costs, labels=[0, 1, 2])

X, y = make_classification(
    n_samples=1200,
    n_features=10,
    n_informative=5,
    n_classes=3,
    weights=[0.5, 0.35, 0.15],
    class_sep=0.7,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
models = {
    "LogisticRegression": LogisticRegression(),
    "LogisticRegression, balanced": LogisticRegression(class_weight="balanced"),
    "PGClassifier(scoring=cost)": PGClassifier(scoring=cost, random_state=0),
    "ZOClassifier(scoring=cost)": ZOClassifier(scoring=cost, random_state=0),
}
mean_cost = {}
for name, model in models.items():
    fitted = make_pipeline(StandardScaler(), model).fit(X_train, y_train)
    mean_cost[name] = -cost(fitted, X_test, y_test)
    rare = confusion_matrix(y_test, fitted.predict(X_test))[2]
    print(f"{name}: mean cost {mean_cost[name]:.3f}, rare class predicted as {rare}")

fig, ax = plt.subplots(figsize=(6, 2.8))
ax.barh(list(mean_cost), list(mean_cost.values()), color=["grey", "grey", "C0", "C1"])
ax.set_xlabel("mean test cost (lower is better)")
for i, v in enumerate(mean_cost.values()):
    ax.text(v, i, f" {v:.3f}", va="center")
ax.set_xlim(0, max(mean_cost.values()) * 1.2)
fig.tight_layout()
