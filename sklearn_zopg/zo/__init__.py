"""Zeroth-order training: the classifier, its skorch net, directions and perturbed
forwards."""

from ._classifier import ZOClassifier

__all__ = ["ZOClassifier"]
