"""The one place that reads scikit-learn's private scorer internals.

A scorer made by ``make_scorer`` (or returned by ``get_scorer``) keeps its
metric function, keyword arguments, sign and response method in private
attributes (``_score_func``, ``_kwargs``, ``_sign``, ``_response_method``).
Reading them is what lets the reward engine pick an exact count-based twin
of the metric and tell label scorers from probability scorers without
calling them. Everything else in the package goes through
:func:`scorer_parts`; ``tests/test_rewards.py`` checks these attributes on
every release, so a change in scikit-learn fails loudly there instead of
silently sending every scorer down the slow path.
"""

from dataclasses import dataclass, field

from sklearn.metrics._scorer import _BaseScorer

__all__ = ["ScorerParts", "scorer_parts"]

_REGRESSION_MODULE = "sklearn.metrics._regression"


@dataclass(frozen=True)
class ScorerParts:
    """What a scorer is made of, when scikit-learn built it.

    Attributes
    ----------
    score_func : callable
        The metric, ``score_func(y_true, y_pred, **kwargs)``.
    kwargs : dict
        Its keyword arguments.
    sign : float
        ``1`` for scores, ``-1`` for losses (``neg_*`` scorers).
    response_methods : tuple of str
        The estimator methods the scorer reads, in order of preference
        (``("predict",)``, ``("predict_proba",)``, ...).
    """

    score_func: object
    kwargs: dict = field(default_factory=dict)
    sign: float = 1.0
    response_methods: tuple = ("predict",)

    @property
    def is_regression_metric(self):
        """True for scikit-learn's regression metrics (r2, MAE, MAPE, ...)."""
        return getattr(self.score_func, "__module__", "") == _REGRESSION_MODULE


def scorer_parts(scorer):
    """The :class:`ScorerParts` of an sklearn scorer, or None for other callables."""
    if not isinstance(scorer, _BaseScorer):
        return None
    method = scorer._response_method
    return ScorerParts(
        score_func=scorer._score_func,
        kwargs=dict(scorer._kwargs),
        sign=float(scorer._sign),
        response_methods=(method,) if isinstance(method, str) else tuple(method),
    )
