"""
A multiclass cost matrix as the score
=====================================

Three classes; missing the rare one (class 2) costs 10, any other error 1.
Three usual answers on a logistic regression: class weights; the class of
least expected cost under its probabilities; and, since scikit-learn's
threshold tuning is binary only, one ``TunedThresholdClassifierCV`` per
class against the rest, a row going to the class whose probability clears
its threshold by the most. (``OneVsRestClassifier`` of tuned classifiers
would predict the argmax of their decision functions, which the thresholds
never enter.) :func:`~sklearn_zopg.make_cost_scorer` states the cost itself
as an sklearn scorer (minus the mean cost), which ``PGClassifier`` and
``ZOClassifier`` train on, and which scores every model below.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier, make_cost_scorer, neg_mean_cost

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
predictions = {}
for name, model in models.items():
    fitted = make_pipeline(StandardScaler(), model).fit(X_train, y_train)
    predictions[name] = fitted.predict(X_test)

# The class of least expected cost under the logistic regression's probabilities
logistic = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
expected_cost = logistic.predict_proba(X_test) @ costs
predictions["LogisticRegression, least expected cost"] = expected_cost.argmin(1)

# One tuned threshold per class, one against the rest
margins = []
for c in range(3):
    tuned = TunedThresholdClassifierCV(
        make_pipeline(StandardScaler(), LogisticRegression())
    ).fit(X_train, y_train == c)
    margins.append(tuned.predict_proba(X_test)[:, 1] - tuned.best_threshold_)
predictions["LogisticRegression, one-vs-rest thresholds"] = np.argmax(margins, 0)

mean_cost = {}
for name, predicted in predictions.items():
    mean_cost[name] = -neg_mean_cost(
        y_test, predicted, cost_matrix=costs, labels=[0, 1, 2]
    )
    rare = confusion_matrix(y_test, predicted)[2]
    print(f"{name}: mean cost {mean_cost[name]:.3f}, rare class predicted as {rare}")

fig, ax = plt.subplots(figsize=(6, 3.4))
colors = ["C0" if "Classifier" in name else "grey" for name in mean_cost]
ax.barh(list(mean_cost), list(mean_cost.values()), color=colors)
ax.set_xlabel("mean test cost (lower is better)")
for i, v in enumerate(mean_cost.values()):
    ax.text(v, i, f" {v:.3f}", va="center")
ax.set_xlim(0, max(mean_cost.values()) * 1.2)
fig.tight_layout()
