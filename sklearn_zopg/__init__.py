"""sklearn-zopg: scikit-learn classifiers trained on the score you care about."""

from . import diagnostics
from .pg import PGClassifier
from .rewards import Reward, make_reward
from .zo import ZOClassifier

__version__ = "0.1.0"

__all__ = [
    "PGClassifier",
    "Reward",
    "ZOClassifier",
    "__version__",
    "diagnostics",
    "make_reward",
]
