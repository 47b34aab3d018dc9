"""sklearn-zopg: scikit-learn classifiers trained on the score you care about."""

from ._pg import PGClassifier
from ._rewards import Reward, make_reward
from ._zo import ZOClassifier

__version__ = "0.1.0"

__all__ = ["PGClassifier", "Reward", "ZOClassifier", "__version__", "make_reward"]
