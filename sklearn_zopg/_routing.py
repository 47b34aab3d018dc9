"""Scorer metadata: what ``fit``, ``partial_fit`` and ``score`` route to ``scoring``.

A business score often needs values that differ row by row (a loan's
exposure, a customer's lifetime value). scikit-learn carries them to a
scorer through metadata routing: ``make_scorer(...).set_score_request(
amount=True)``, then ``fit(X, y, amount=amount)``. The estimators here are
routers as ``TunedThresholdClassifierCV`` is: their ``fit``, ``partial_fit``
and ``score`` take ``**params`` and route the ones ``scoring`` requested to
every call of the scorer, sliced to the rows it scores
(:class:`~sklearn_zopg.rewards._row_metadata.RowMetadata`).
"""

from sklearn.metrics import check_scoring
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    process_routing,
)

__all__ = ["metadata_router", "routed_scorer_params"]

# The estimator's methods whose params reach the scorer's ``score``.
_CALLERS = ("fit", "partial_fit", "score")


def _routing_scorer(estimator):
    """The scorer of ``estimator.scoring`` whose requests routing reads."""
    return check_scoring(estimator, scoring=estimator.scoring)


def metadata_router(estimator):
    """``estimator``'s :class:`~sklearn.utils.metadata_routing.MetadataRouter`:
    its own requests (``sample_weight``), and the scorer's ``score`` requests
    for each of ``fit``, ``partial_fit`` and ``score``."""
    mapping = MethodMapping()
    for caller in _CALLERS:
        mapping.add(caller=caller, callee="score")
    return (
        MetadataRouter(owner=estimator)
        .add_self_request(estimator)
        .add(scorer=_routing_scorer(estimator), method_mapping=mapping)
    )


def routed_scorer_params(estimator, method, params):
    """The metadata of ``params`` that ``scoring`` requested for ``method``.

    With routing disabled, any ``params`` raise sklearn's error naming
    ``sklearn.set_config(enable_metadata_routing=True)``; with it enabled,
    ``params`` nobody requested raise sklearn's usual ``TypeError``.
    """
    if not params:
        return {}
    _raise_for_params(params, estimator, method)
    return dict(process_routing(estimator, method, **params).scorer.score)
