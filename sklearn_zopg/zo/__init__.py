"""Zeroth-order training: the classifier, its skorch net, directions and perturbed
forwards."""

from ._classifier import ZOClassifier
from ._regressor import ZORegressor

__all__ = ["ZOClassifier", "ZORegressor"]
