"""What a user would otherwise pick for a multiclass cost: decision rules on
a probabilistic classifier's outputs.

- :class:`MinimumExpectedCost`: predict the class of least expected cost
  under the model's probabilities, ``argmin_j sum_i p_i C_ij`` (Bayes'
  decision rule; as good as the probabilities are calibrated).
- :class:`ThresholdsOneVsRest`: scikit-learn's threshold tuning is binary
  only, so one ``TunedThresholdClassifierCV`` per class, one against the
  rest, each on its default ``balanced_accuracy``; a row goes to the class
  whose probability clears its tuned threshold by the most.
  ``OneVsRestClassifier(TunedThresholdClassifierCV(...))`` would not do:
  with more than two classes it predicts the argmax of the binary models'
  decision functions, which the tuned thresholds never enter.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import TunedThresholdClassifierCV

__all__ = ["MinimumExpectedCost", "ThresholdsOneVsRest"]


class MinimumExpectedCost(ClassifierMixin, BaseEstimator):
    """``estimator``'s probabilities, the class of least expected cost."""

    def __init__(self, estimator, cost_matrix):
        self.estimator = estimator
        self.cost_matrix = cost_matrix

    def fit(self, X, y):
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        expected = self.estimator_.predict_proba(X) @ np.asarray(self.cost_matrix)
        return self.classes_[expected.argmin(1)]


class ThresholdsOneVsRest(ClassifierMixin, BaseEstimator):
    """One tuned threshold per class, one against the rest."""

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.tuned_ = [
            TunedThresholdClassifierCV(clone(self.estimator)).fit(X, y == c)
            for c in self.classes_
        ]
        return self

    def predict(self, X):
        margins = np.column_stack(
            [t.predict_proba(X)[:, 1] - t.best_threshold_ for t in self.tuned_]
        )
        return self.classes_[margins.argmax(1)]
