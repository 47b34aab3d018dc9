"""Rewards: any sklearn scorer applied to many label vectors (or models) at once.

Pure numpy/torch: this package imports neither skorch nor the estimators.
"""

from ._reward import Reward, make_reward

__all__ = ["Reward", "make_reward"]
