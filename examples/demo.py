"""Demo: train on F1 directly, against the cross-entropy baseline.

Two rare-class problems: scikit-learn's bundled handwritten digits ("is this
a 9?", 10% positives, nearly separable) and a generated one drawn with 7%
positives and 2% of its labels flipped at random (8% positives in the end),
where the 0.5 threshold of cross-entropy is far from F1-optimal. The same
64-unit MLP, Adam at a learning rate of 0.01, 100 epochs and batches of
256, three ways: scikit-learn's
``MLPClassifier`` on cross-entropy (the usual choice), and
``PGClassifier`` and ``ZOClassifier`` with ``scoring="f1"``. Prints test F1
(mean ± std over seeds) and fit time.

Run: ``python examples/demo.py``
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier


def datasets():
    digits = load_digits()
    yield "digits, 'is it a 9?'", digits.data, (digits.target == 9).astype(int)
    X, y = make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=5,
        weights=[0.93],
        flip_y=0.02,
        random_state=0,
    )
    yield "make_classification(weights=[0.93], flip_y=0.02)", X, y


def cross_entropy_mlp(seed):
    """sklearn's MLP with the settings of ours: it stops after 100 epochs."""
    return MLPClassifier(
        hidden_layer_sizes=(64,),
        learning_rate_init=0.01,
        batch_size=256,
        max_iter=100,
        n_iter_no_change=100,
        random_state=seed,
    )


MAKERS = {
    "MLPClassifier (cross-entropy)": cross_entropy_mlp,
    "PGClassifier(scoring='f1')": lambda s: PGClassifier(scoring="f1", random_state=s),
    "ZOClassifier(scoring='f1')": lambda s: ZOClassifier(scoring="f1", random_state=s),
}


def compare(title, X, y, seeds):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    print(
        f"\n{title}: {len(y_train)} train / {len(y_test)} test rows, "
        f"{y.mean():.0%} positives, seeds {list(seeds)}"
    )
    print(f"{'method':<30} {'test F1':>16} {'fit time (s)':>13}")
    for name, make in MAKERS.items():
        scores, times = [], []
        for seed in seeds:
            model = make_pipeline(StandardScaler(), make(seed))
            start = time.perf_counter()
            with warnings.catch_warnings():
                # 100 epochs by design: MLPClassifier warns it could go on.
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X_train, y_train)
            times.append(time.perf_counter() - start)
            scores.append(f1_score(y_test, model.predict(X_test)))
        print(
            f"{name:<30} {np.mean(scores):>8.3f} ± {np.std(scores):.3f} "
            f"{np.mean(times):>13.2f}"
        )


def main(seeds=(0, 1, 2)):
    for title, X, y in datasets():
        compare(title, X, y, seeds)


if __name__ == "__main__":
    main()
