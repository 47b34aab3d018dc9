"""Demo: train on F1 directly, against the cross-entropy baseline.

Two rare-class problems: scikit-learn's bundled handwritten digits ("is this
a 9?", 10% positives, nearly separable) and a generated one with 7% positives
and 2% label noise (where the 0.5 threshold of cross-entropy is far from
F1-optimal). Same MLP three ways: skorch with cross-entropy (the usual
choice), PGClassifier and ZOClassifier with ``scoring="f1"``. Prints test F1
(mean ± std over seeds) and fit time.

Run: ``python examples/demo.py``
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier
from sklearn_zopg._reference import (
    as_skorch_input,
    cross_entropy_net,
    imbalanced_problem,
)


def datasets():
    digits = load_digits()
    yield "digits, 'is it a 9?'", digits.data, (digits.target == 9).astype(int)
    X, y = imbalanced_problem()
    yield "make_classification, 7% positives", X, y


def compare(title, X, y, seeds):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    makers = {
        "cross-entropy (skorch)": lambda s: cross_entropy_net(X.shape[1], 2, s),
        "PGClassifier(scoring='f1')": lambda s: PGClassifier(
            scoring="f1", random_state=s
        ),
        "ZOClassifier(scoring='f1')": lambda s: ZOClassifier(
            scoring="f1", random_state=s
        ),
    }
    print(
        f"\n{title}: {len(y_train)} train / {len(y_test)} test rows, "
        f"{y.mean():.0%} positives, seeds {list(seeds)}"
    )
    print(f"{'method':<28} {'test F1':>16} {'fit time (s)':>13}")
    for name, make in makers.items():
        scores, times = [], []
        for seed in seeds:
            est = make(seed)
            skorch_net = "skorch" in name
            Xf = as_skorch_input(X_train) if skorch_net else X_train
            Xt = as_skorch_input(X_test) if skorch_net else X_test
            start = time.perf_counter()
            est.fit(Xf, y_train)
            times.append(time.perf_counter() - start)
            scores.append(f1_score(y_test, est.predict(Xt)))
        print(
            f"{name:<28} {np.mean(scores):>8.3f} ± {np.std(scores):.3f} "
            f"{np.mean(times):>13.2f}"
        )


def main(seeds=(0, 1, 2)):
    for title, X, y in datasets():
        compare(title, X, y, seeds)


if __name__ == "__main__":
    main()
