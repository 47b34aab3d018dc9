"""
Per-row costs: a missed default costs the loan's exposure
=========================================================

A credit table where errors cost different amounts row by row: approving a
loan that defaults loses its exposure times a loss given default of 0.75;
refusing a good loan loses the interest margin, 15% of its exposure.
scikit-learn carries such amounts to a scorer as routed metadata:
:func:`~sklearn_zopg.make_cost_scorer` without a fixed matrix takes one
``(2, 2)`` cost matrix per row, requested with ``set_score_request``.
``PGClassifier`` and ``ZOClassifier`` train on that score with the costs
passed to ``fit``; ``TunedThresholdClassifierCV`` tunes one threshold of
gradient boosting on it. The exposure is known when the loan is decided,
so every model also has it as a feature, and the last anchor applies each
test row's own cost-optimal threshold to gradient boosting's calibrated
probabilities (the rule of empulse's ``CSThresholdClassifier``).
"""

import matplotlib.pyplot as plt
import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier, make_cost_scorer

sklearn.set_config(enable_metadata_routing=True)

rng = np.random.default_rng(0)
n = 4000
X = rng.normal(size=(n, 6))
exposure = np.exp(1.0 + 0.8 * X[:, 0])  # skewed loan sizes
risk = X[:, 1] - 0.5 * X[:, 2] + 0.4 * X[:, 0] * X[:, 3]
y = (risk + rng.normal(size=n) > 1.3).astype(int)  # 1: default
X = np.column_stack([X, np.log(exposure)])  # the exposure, known when deciding

# One cost matrix per row: [true, predicted], 0 = good loan, 1 = default.
costs = np.zeros((n, 2, 2))
costs[:, 1, 0] = 0.75 * exposure  # approved (predicted 0), then defaulted
costs[:, 0, 1] = 0.15 * exposure  # refused (predicted 1) a good loan
cost = make_cost_scorer(labels=[0, 1]).set_score_request(cost_matrix=True)

rows_train, rows_test = train_test_split(
    np.arange(n), test_size=0.5, stratify=y, random_state=0
)
X_train, X_test, y_train, y_test = (
    X[rows_train],
    X[rows_test],
    y[rows_train],
    y[rows_test],
)
costs_train, costs_test = costs[rows_train], costs[rows_test]

models = {
    "LogisticRegression": LogisticRegression(),
    "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0),
    "TunedThresholdClassifierCV(HGB)": TunedThresholdClassifierCV(
        HistGradientBoostingClassifier(random_state=0), scoring=cost
    ),
    "PGClassifier(scoring=cost)": PGClassifier(scoring=cost, random_state=0),
    "ZOClassifier(scoring=cost)": ZOClassifier(scoring=cost, random_state=0),
}
mean_cost = {}
for name, model in models.items():
    pipeline = make_pipeline(StandardScaler(), model)
    # the costs go to the models whose scorer requested them
    wants_costs = pipeline.get_metadata_routing().consumes("fit", ["cost_matrix"])
    fit_params = {"cost_matrix": costs_train} if wants_costs else {}
    fitted = pipeline.fit(X_train, y_train, **fit_params)
    mean_cost[name] = -cost(fitted, X_test, y_test, cost_matrix=costs_test)

# Each test row's own threshold on calibrated probabilities: predict a
# default where its expected cost of approving exceeds that of refusing.
calibrated = CalibratedClassifierCV(HistGradientBoostingClassifier(random_state=0))
p = calibrated.fit(X_train, y_train).predict_proba(X_test)[:, 1]
refuse = p * costs_test[:, 1, 0] > (1 - p) * costs_test[:, 0, 1]
rows = np.arange(len(y_test))
mean_cost["HGB, per-row threshold (test costs)"] = costs_test[
    rows, y_test, refuse.astype(int)
].mean()

for name, value in mean_cost.items():
    print(f"{name}: mean test cost {value:.3f}")

fig, ax = plt.subplots(figsize=(6.4, 3.4))
colors = ["C0" if "(scoring=cost)" in name else "grey" for name in mean_cost]
ax.barh(list(mean_cost), list(mean_cost.values()), color=colors)
ax.set_xlabel("mean test cost per loan (lower is better)")
for i, v in enumerate(mean_cost.values()):
    ax.text(v, i, f" {v:.3f}", va="center")
ax.set_xlim(0, max(mean_cost.values()) * 1.25)
fig.tight_layout()
