"""Rewards: any sklearn scorer applied to many label vectors (or models) at once.

Pure numpy/torch: this package imports neither skorch nor the estimators.
"""

from ._confusion import confusion_score, make_confusion_scorer
from ._cost import make_cost_scorer, neg_mean_cost
from ._multilabel_reward import MultilabelReward
from ._regression_reward import RegressionReward
from ._reward import Reward, make_reward

__all__ = [
    "MultilabelReward",
    "RegressionReward",
    "Reward",
    "confusion_score",
    "make_confusion_scorer",
    "make_cost_scorer",
    "make_reward",
    "neg_mean_cost",
]
