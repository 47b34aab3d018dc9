"""
F1 on an imbalanced problem
===========================

With 7% positives and some label noise, cross-entropy's 0.5 threshold is far
from F1-optimal. Compare the same MLP trained with cross-entropy (skorch),
logistic regression with its threshold tuned for F1
(``TunedThresholdClassifierCV``), and PG / ZO trained on F1 itself.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier
from sklearn_zopg._reference import (
    as_skorch_input,
    cross_entropy_net,
    imbalanced_problem,
)

X, y = imbalanced_problem()
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

scores = {}
net = cross_entropy_net(X.shape[1], 2, seed=0).fit(*as_skorch_input(X_train, y_train))
scores["MLP, cross-entropy"] = f1_score(y_test, net.predict(as_skorch_input(X_test)))
tuned = TunedThresholdClassifierCV(LogisticRegression(), scoring="f1").fit(
    X_train, y_train
)
scores["LogReg, tuned threshold"] = f1_score(y_test, tuned.predict(X_test))
for Estimator in (PGClassifier, ZOClassifier):
    est = Estimator(scoring="f1", random_state=0).fit(X_train, y_train)
    scores[f"MLP, {Estimator.__name__}"] = f1_score(y_test, est.predict(X_test))

fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(scores), list(scores.values()), color=["grey", "grey", "C0", "C1"])
ax.set_xlabel("test F1")
ax.set_xlim(0, max(scores.values()) * 1.15)
for i, v in enumerate(scores.values()):
    ax.text(v, i, f" {v:.3f}", va="center")
fig.tight_layout()
print({k: round(v, 3) for k, v in scores.items()})
np.testing.assert_array_less(0, list(scores.values()))
