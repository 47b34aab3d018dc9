"""Policy gradient: the classifier, its skorch net and its pure gradient math."""

from ._classifier import PGClassifier

__all__ = ["PGClassifier"]
