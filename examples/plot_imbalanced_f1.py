"""
F1 on an imbalanced problem
===========================

With 7% positives and some label noise, cross-entropy's 0.5 threshold is far
from F1-optimal. Compare a 64-unit MLP trained with cross-entropy
(``MLPClassifier``, with the learning rate, batch size and epochs of ours),
logistic regression with its threshold tuned for F1
(``TunedThresholdClassifierCV``), and PG / ZO trained on F1 itself.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier

X, y = make_classification(
    n_samples=2000,
    n_features=20,
    n_informative=5,
    weights=[0.93],
    flip_y=0.02,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

scores = {}
mlp = MLPClassifier(
    (64,), learning_rate_init=0.01, batch_size=256, max_iter=100, random_state=0
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 100 epochs, as ours
    mlp.fit(X_train, y_train)
scores["MLP, cross-entropy"] = f1_score(y_test, mlp.predict(X_test))
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
