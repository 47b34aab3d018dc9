"""sklearn-zopg: scikit-learn estimators trained on the score you care about."""

from . import diagnostics
from ._checks import expected_failed_checks
from ._display import ScoreHistoryDisplay
from ._modules import MLP
from ._sparse import SparseInputLinear
from ._tuned_decision import TunedDecisionClassifierCV
from .pg import PGClassifier, PGRegressor
from .rewards import (
    Reward,
    confusion_score,
    make_confusion_scorer,
    make_cost_scorer,
    make_reward,
    neg_mean_cost,
)
from .zo import ZOClassifier, ZORegressor

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "PGClassifier",
    "PGRegressor",
    "Reward",
    "ScoreHistoryDisplay",
    "SparseInputLinear",
    "TunedDecisionClassifierCV",
    "ZOClassifier",
    "ZORegressor",
    "__version__",
    "confusion_score",
    "diagnostics",
    "expected_failed_checks",
    "make_confusion_scorer",
    "make_cost_scorer",
    "make_reward",
    "neg_mean_cost",
]
