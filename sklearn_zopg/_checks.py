"""The scikit-learn estimator checks each estimator is expected to fail, and why.

``check_estimator(PGClassifier())`` raises on its first expected failure;
pass this module's :func:`expected_failed_checks` as sklearn's own
estimators document theirs::

    from sklearn.utils.estimator_checks import check_estimator
    from sklearn_zopg import PGClassifier, expected_failed_checks

    est = PGClassifier()
    check_estimator(est, expected_failed_checks=expected_failed_checks(est))
"""

__all__ = ["expected_failed_checks"]

_WEIGHT_EQUIVALENCE = (
    "Policy gradient samples a label per row: a repeated row gets independent "
    "samples, a weighted row one, so the iterates differ though the objective "
    "is the same (sklearn expects the same of SGD estimators). The project's "
    "tests check the statistical version: weight w trains like w copies in "
    "distribution over seeds."
)

# The same check on dense and on sparse X (the estimators take both).
_SAMPLE_WEIGHT_EQUIVALENCE = (
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)

_OWN_SCORING = (
    "score() returns the estimator's own scoring (by default minus the mean "
    "absolute error), as the classifiers' does, so that GridSearchCV without "
    "scoring= selects on the score the model was trained for; the check "
    "expects R^2 > 0.5 from score(). The R^2 of the predictions on the "
    "check's data is tested separately."
)


_TUNED_DECISION = (
    "predict is the argmax of the scores plus the tuned offsets, by design "
    "not the argmax of predict_proba (which passes the classifier's "
    "probabilities through unchanged, as TunedThresholdClassifierCV's does); "
    "the check expects them to agree."
)


def expected_failed_checks(estimator):
    """The sklearn checks ``estimator`` fails by design, with the reasons.

    Parameters
    ----------
    estimator : PGClassifier, ZOClassifier, PGRegressor, ZORegressor or \
            TunedDecisionClassifierCV
        An instance (its class decides).

    Returns
    -------
    failures : dict of str to str
        Check names mapped to why each fails: pass it as
        ``check_estimator(estimator, expected_failed_checks=...)`` or
        ``parametrize_with_checks(..., expected_failed_checks=
        expected_failed_checks)``. Empty for :class:`ZOClassifier`, which
        passes every check.

    Examples
    --------
    >>> from sklearn_zopg import PGRegressor, expected_failed_checks
    >>> sorted(expected_failed_checks(PGRegressor()))[0]
    'check_regressors_train'
    """
    from ._tuned_decision import TunedDecisionClassifierCV
    from .pg import PGClassifier, PGRegressor
    from .zo import ZORegressor

    if isinstance(estimator, TunedDecisionClassifierCV):
        return {"check_classifiers_train": _TUNED_DECISION}

    # ZOClassifier passes: on the checks' small sets a batch is the whole
    # set, the weighted score equals the repeated one, and the perturbations
    # come from their own generator, seeded by random_state alone.
    if isinstance(estimator, PGClassifier):
        return dict.fromkeys(_SAMPLE_WEIGHT_EQUIVALENCE, _WEIGHT_EQUIVALENCE)
    if isinstance(estimator, PGRegressor):
        return {
            "check_regressors_train": _OWN_SCORING,
            **dict.fromkeys(_SAMPLE_WEIGHT_EQUIVALENCE, _WEIGHT_EQUIVALENCE),
        }
    if isinstance(estimator, ZORegressor):
        return {"check_regressors_train": _OWN_SCORING}
    return {}
