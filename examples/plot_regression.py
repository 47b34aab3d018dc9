"""
Regression on an asymmetric cost
================================

Under-forecasting costs 4 per unit, over-forecasting 1: a custom
``make_scorer`` that no standard loss names. An MLP fitted on squared error
predicts the conditional mean, too low for this cost; PGRegressor and
ZORegressor train the same MLP on the cost itself.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import make_scorer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGRegressor, ZORegressor


def cost(y_true, y_pred):
    """4 per unit under-forecast, 1 per unit over-forecast (mean)."""
    return np.mean(4 * np.maximum(y_true - y_pred, 0) + np.maximum(y_pred - y_true, 0))


rng = np.random.default_rng(0)
X = rng.normal(size=(1500, 8))
y = X @ rng.normal(size=8) + (1 + np.abs(X[:, 0])) * rng.normal(size=1500)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

scoring = make_scorer(cost, greater_is_better=False)
models = {
    "MLPRegressor (squared error)": MLPRegressor(
        hidden_layer_sizes=(64,), max_iter=500, random_state=0
    ),
    "PGRegressor (the cost)": PGRegressor(scoring=scoring, random_state=0),
    "ZORegressor (the cost)": ZORegressor(scoring=scoring, random_state=0),
}
costs = {}
for name, model in models.items():
    with warnings.catch_warnings():
        # MLPRegressor may stop at max_iter=500 before its own tolerance.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    costs[name] = cost(y_test, model.predict(X_test))

fig, ax = plt.subplots(figsize=(6, 2.5))
ax.barh(list(costs), list(costs.values()), color=["grey", "C0", "C1"])
ax.set_xlabel("test cost (lower is better)")
for i, v in enumerate(costs.values()):
    ax.text(v, i, f" {v:.3f}", va="center")
ax.set_xlim(0, max(costs.values()) * 1.25)
fig.tight_layout()
print({k: round(float(v), 3) for k, v in costs.items()})
