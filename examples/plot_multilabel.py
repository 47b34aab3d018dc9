"""
Multilabel F1 with rare labels
==============================

Four labels, each positive for 8% of the rows; ``y`` is an indicator
matrix, as for ``MLPClassifier``. PG and ZO train the 64-unit MLP on the
macro F1 itself; ``MLPClassifier`` trains the same architecture on binary
cross-entropy per label for up to 500 epochs, a strong anchor here (after 20
epochs of cross-entropy the same MLP predicts almost no rare label). The
labels are noisy linear scores thresholded at their 92nd percentile. The
benchmarks page compares more anchors over several seeds (multilabel
section).
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier

rng = np.random.default_rng(0)
X = rng.normal(size=(1500, 10))
Z = X @ rng.normal(size=(10, 4)) / np.sqrt(10) + 0.6 * rng.normal(size=(1500, 4))
Y = (Z > np.quantile(Z, 0.92, axis=0)).astype(int)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

models = {
    "MLPClassifier (BCE)": MLPClassifier((64,), max_iter=500, random_state=0),
    "PGClassifier": PGClassifier(scoring="f1_macro", random_state=0),
    "ZOClassifier": ZOClassifier(scoring="f1_macro", random_state=0),
}
scores = {}
for name, model in models.items():
    with warnings.catch_warnings():
        # MLPClassifier may stop at max_iter=500 before its own tolerance.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, Y_train)
    scores[name] = f1_score(Y_test, model.predict(X_test), average="macro")

fig, ax = plt.subplots(figsize=(6, 2.5))
ax.barh(list(scores), list(scores.values()), color=["grey", "C0", "C1"])
ax.set_xlabel("test macro F1")
ax.set_xlim(0, max(scores.values()) * 1.2)
for i, v in enumerate(scores.values()):
    ax.text(v, i, f" {v:.3f}", va="center")
fig.tight_layout()
print({k: round(v, 3) for k, v in scores.items()})
print("predicted label rates:", models["PGClassifier"].predict(X_test).mean(0))
