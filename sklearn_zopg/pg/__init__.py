"""Policy gradient: the classifier, the regressor, their nets and gradient math."""

from ._classifier import PGClassifier
from ._regressor import PGRegressor

__all__ = ["PGClassifier", "PGRegressor"]
