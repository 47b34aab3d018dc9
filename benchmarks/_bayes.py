"""The best possible score on ``make_classification``'s problems.

``make_classification`` draws each class as a mixture of Gaussian clusters:
cluster ``k`` is ``s A_k + c_k`` on the informative features (``s`` standard
normal, ``c_k`` a hypercube vertex, ``A_k`` uniform in [-1, 1]), its share of
rows fixed by ``weights``; redundant and repeated features are functions of
the informative ones, the others are noise; a share ``flip_y`` of the labels
is then redrawn uniformly; every feature is shifted and scaled, and the
columns shuffled. Replaying its random draws (the same generator, the calls
recorded) recovers ``c_k``, ``A_k``, the shift, scale and column order, and
with them the true posterior ``p(y | x)`` of every row.

The limit of a score on a test split is the best any rule built on that
posterior reaches there: for binary labels, the best threshold on
``p(y=1 | x)`` (the optimal rule of every score here is such a threshold;
the best of 401 quantiles of the posterior on the split);
with more classes, the argmax of ``p(c | x) / prior_c`` for balanced
accuracy and the argmax of ``p(c | x)`` otherwise; for ROC AUC, the
posterior's own ranking. The benchmarks report it beside each generated
task, as the headroom left, not as a target to fit.
"""

import numpy as np
from scipy.stats import multivariate_normal
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.datasets._samples_generator import _generate_hypercube
from sklearn.metrics import get_scorer

__all__ = ["bayes_limit", "make_classification_with_posterior"]


class _Recording(np.random.RandomState):
    """A generator that keeps what ``make_classification`` draws from it."""

    def __init__(self, seed):
        super().__init__(seed)
        self.uniforms, self.shuffled = [], None

    def uniform(self, *args, **kwargs):
        out = super().uniform(*args, **kwargs)
        self.uniforms.append(out)
        return out

    def shuffle(self, x):
        super().shuffle(x)
        self.shuffled = np.array(x)


def make_classification_with_posterior(**params):
    """``make_classification(**params)`` (an integer ``random_state``, the
    default ``hypercube``), and the true posterior
    of its rows, shape ``(n_samples, n_classes)``."""
    seed = params["random_state"]
    generator = _Recording(seed)
    X, y = make_classification(**{**params, "random_state": generator})
    n_classes = params.get("n_classes", 2)
    n_informative = params.get("n_informative", 2)
    per_class = params.get("n_clusters_per_class", 2)
    n_clusters = n_classes * per_class
    n_samples = params.get("n_samples", 100)
    n_features = params.get("n_features", 20)
    class_sep = params.get("class_sep", 1.0)
    flip_y = params.get("flip_y", 0.01)
    weights = params.get("weights")
    if weights is None:
        weights = [1.0 / n_classes] * n_classes
    elif len(weights) == n_classes - 1:
        weights = [*weights, 1.0 - sum(weights)]
    sizes = [
        int(n_samples * weights[k % n_classes] / per_class) for k in range(n_clusters)
    ]
    for i in range(n_samples - sum(sizes)):
        sizes[i % n_clusters] += 1
    centroids = _generate_hypercube(
        n_clusters, n_informative, np.random.RandomState(seed)
    ).astype(float)
    centroids = centroids * 2 * class_sep - class_sep
    square = [u for u in generator.uniforms if u.shape == (n_informative,) * 2]
    mixings = square[:n_clusters]  # A_k = 2 u - 1, in draw order
    drawn = [u for u in generator.uniforms if u.shape == (n_features,)]
    shift, scale = params.get("shift", 0.0), params.get("scale", 1.0)
    if scale is None:  # drawn last, after the shift
        scale = 1 + 100 * drawn.pop()
    if shift is None:
        shift = (2 * drawn.pop() - 1) * class_sep
    shift = np.broadcast_to(np.asarray(shift, dtype=float), (n_features,))
    scale = np.broadcast_to(np.asarray(scale, dtype=float), (n_features,))
    order = generator.shuffled  # output column i is original column order[i]
    position = np.argsort(order)
    informative = X[:, position[:n_informative]] / scale[:n_informative]
    informative = informative - shift[:n_informative]
    density = np.column_stack(
        [
            size
            * multivariate_normal(centroid, (2 * u - 1).T @ (2 * u - 1)).pdf(
                informative
            )
            for size, centroid, u in zip(sizes, centroids, mixings)
        ]
    )
    clean = np.zeros((n_samples, n_classes))
    for k in range(n_clusters):
        clean[:, k % n_classes] += density[:, k]
    clean /= clean.sum(1, keepdims=True)
    posterior = (1 - flip_y) * clean + flip_y / n_classes
    assert X.shape == (n_samples, n_features)
    return X, y, posterior


class _Fixed(ClassifierMixin, BaseEstimator):
    """An estimator-like holder of given predictions, for sklearn scorers."""

    def __init__(self, labels, proba):
        self.labels, self.proba = labels, proba
        self.classes_ = np.arange(proba.shape[1])

    def predict(self, X):
        return self.labels

    def predict_proba(self, X):
        return self.proba

    def decision_function(self, X):
        return self.proba[:, 1] if self.proba.shape[1] == 2 else self.proba

    def fit(self, X, y):
        return self


def bayes_limit(scoring, posterior, y, prior=None):
    """The best score any rule on the true ``posterior`` reaches on ``y``
    (see the module docstring)."""
    scorer = get_scorer(scoring)
    rows = np.zeros((len(y), 1))
    C = posterior.shape[1]
    if getattr(scorer, "_response_method", "predict") != "predict":
        return scorer(_Fixed(posterior.argmax(1), posterior), rows, y)
    if C == 2:
        thresholds = np.unique(np.quantile(posterior[:, 1], np.linspace(0, 1, 401)))
        return max(
            scorer(_Fixed((posterior[:, 1] >= t).astype(int), posterior), rows, y)
            for t in np.concatenate([thresholds, [np.inf]])
        )
    weights = 1.0 if prior is None else 1.0 / np.asarray(prior)
    return scorer(_Fixed((posterior * weights).argmax(1), posterior), rows, y)
