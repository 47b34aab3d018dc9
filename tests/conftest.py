import sys
from pathlib import Path

import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

# The anchors a user would otherwise pick live with the benchmarks, which
# the tests share (benchmarks/_reference.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _reference import imbalanced_problem  # noqa: E402


@pytest.fixture(scope="session")
def imbalanced():
    """A seeded binary problem with 7% positives, standardized, split 50/50."""
    X, y = imbalanced_problem()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.fixture(scope="session")
def small_multiclass():
    X, y = make_classification(
        n_samples=300,
        n_features=6,
        n_informative=4,
        n_classes=3,
        n_clusters_per_class=1,
        random_state=1,
    )
    return StandardScaler().fit_transform(X), y
