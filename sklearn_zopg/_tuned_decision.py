"""``TunedDecisionClassifierCV``: a score-tuned decision for any classifier.

scikit-learn tunes the decision threshold of binary classifiers only
(``TunedThresholdClassifierCV``). This meta-estimator tunes one additive
offset per class (the argmax of ``scores + offsets``) or per label (``score
+ offset > 0``) of any classifier's log-probabilities or decision values,
for binary, multiclass and multilabel targets, on the exact score of
cross-fitted predictions, then refits the classifier on every row. The
search is the library's own (:func:`~sklearn_zopg._offsets.tune_offsets`):
coordinate ascent over the shifts where some prediction changes, each
candidate scored exactly (from class counts for the confusion-matrix
scorers).

For a fixed cost matrix the offsets start from the least-expected-cost
rule, ``argmin_j sum_i p_i C[i, j]``, which offsets on log-probabilities
cannot express: the tuned scores are then minus the expected costs.
"""

import math
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.exceptions import NotFittedError
from sklearn.metrics import check_scoring
from sklearn.model_selection import StratifiedShuffleSplit, check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    process_routing,
)
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _num_samples,
    check_is_fitted,
    column_or_1d,
    indexable,
)

from ._offsets import tune_offsets
from .rewards import MultilabelReward, make_reward
from .rewards._cost_metric import ConfusionCost
from .rewards._row_metadata import RowMetadata

__all__ = ["TunedDecisionClassifierCV"]

# Probabilities are clipped here before their logarithm: a class a fold's
# model never saw, or a probability of 0, is far below any other but finite.
_SMALLEST_PROBABILITY = 1e-12


def _response_method(estimator, response_method):
    if response_method != "auto":
        return response_method
    if hasattr(estimator, "predict_proba"):
        return "predict_proba"
    return "decision_function"


class TunedDecisionClassifierCV(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Tune the decision of any classifier for a score: one offset per class.

    ``predict`` returns the argmax of the classifier's log-probabilities (or
    decision values) plus one offset per class, or, for a multilabel
    indicator target, ``log-odds + offset > 0`` per label. The offsets
    maximize ``scoring`` on cross-fitted predictions of the training rows;
    the classifier is then refitted on all of them. For two classes this is
    the decision threshold of ``TunedThresholdClassifierCV``; for more
    classes and for labels, what scikit-learn lacks. With a fixed cost
    matrix (:func:`~sklearn_zopg.make_cost_scorer`) the tuned scores are
    minus the expected costs under the probabilities, so zero offsets are
    the least-expected-cost rule and the tuning starts from it.

    Parameters
    ----------
    estimator : estimator instance
        The classifier, with ``predict_proba`` or ``decision_function``.
    scoring : str or callable, default="balanced_accuracy"
        The score to maximize: a scorer name, a scorer of ``make_scorer``
        or a callable ``scorer(estimator, X, y)``. The confusion-matrix
        scorers (F-beta, balanced accuracy, MCC, Jaccard...), the cost
        scorers and :func:`~sklearn_zopg.make_confusion_scorer` are scored
        from class counts; other scorers are called once per candidate.
    response_method : {"auto", "predict_proba", "decision_function"}, default="auto"
        What the offsets shift: ``"auto"`` takes the log of
        ``predict_proba`` where the classifier has it, else
        ``decision_function``.
    cv : int, cross-validation generator, iterable, float or "prefit", default=5
        How the predictions the offsets are tuned on are cross-fitted, as
        in ``TunedThresholdClassifierCV``: a number of (stratified) folds, a
        splitter, a float for one stratified split with that test fraction,
        or ``"prefit"`` for a fitted classifier (then tuned on ``X``
        itself, with ``refit=False``; wrap it in ``FrozenEstimator`` to
        keep ``clone`` from unfitting it).
    n_candidates : int, default=1000
        The most offsets scored per class and search round: the midpoints
        between the rows' consecutive distinct score margins, at evenly
        spaced ranks when there are more. 1000 finds the best threshold of
        ``TunedThresholdClassifierCV``'s grid of 100 on the same rows (the
        library's estimators tune theirs with 64).
    refit : bool, default=True
        Refit the classifier on all rows after tuning. ``False`` needs one
        split (a float ``cv``) or ``"prefit"``: the classifier fitted there
        is kept.
    random_state : int, RandomState instance or None, default=None
        The split of a float ``cv``.

    Attributes
    ----------
    estimator_ : estimator instance
        The classifier ``predict`` uses.
    classes_ : ndarray of shape (n_classes,)
        The class labels (the label columns' indices, multilabel).
    offsets_ : ndarray of shape (n_classes,)
        The tuned offsets: for single-label targets the first is 0 (an
        argmax does not change with a common shift). Editable: ``predict``
        reads them at each call.
    best_score_ : float
        ``scoring`` of the cross-fitted predictions with ``offsets_``.
    default_score_ : float
        ``scoring`` of the same predictions with zero offsets (the argmax,
        or the least-expected-cost rule for a cost matrix).
    n_features_in_ : int
        Number of features seen during ``fit`` (where the classifier has it).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit`` (where the classifier has
        them).

    See Also
    --------
    sklearn.model_selection.TunedThresholdClassifierCV : the binary case.
    PGClassifier, ZOClassifier : train the model itself on the score.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_zopg import TunedDecisionClassifierCV
    >>> X, y = make_classification(
    ...     600, n_informative=5, n_classes=3, weights=[0.7, 0.2, 0.1],
    ...     random_state=0)
    >>> tuned = TunedDecisionClassifierCV(
    ...     LogisticRegression(), scoring="balanced_accuracy").fit(X, y)
    >>> tuned.offsets_.shape
    (3,)
    >>> bool(tuned.best_score_ >= tuned.default_score_)
    True
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit"])],
        "scoring": [str, callable],
        "response_method": [StrOptions({"auto", "predict_proba", "decision_function"})],
        "cv": [
            "cv_object",
            StrOptions({"prefit"}),
            Interval(Real, 0.0, 1.0, closed="neither"),
        ],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "refit": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        *,
        scoring="balanced_accuracy",
        response_method="auto",
        cv=5,
        n_candidates=1000,
        refit=True,
        random_state=None,
    ):
        self.estimator = estimator
        self.scoring = scoring
        self.response_method = response_method
        self.cv = cv
        self.n_candidates = n_candidates
        self.refit = refit
        self.random_state = random_state

    # ------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **params):
        """Fit the classifier and tune one decision offset per class or label.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, passed to the classifier as it is.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel 0/1 indicator matrix.
        **params : dict
            Metadata routed to the classifier's ``fit``, the splitter and
            the scorer (with ``sklearn.set_config(enable_metadata_routing=
            True)``), as ``TunedThresholdClassifierCV`` routes them.

        Returns
        -------
        self : object
            The fitted meta-estimator.
        """
        _raise_for_params(params, self, "fit")
        _check_not_empty(X)
        X, y = indexable(X, y)  # sparse as CSR, anything else row-indexable
        y, multilabel = self._checked_targets(y)
        if _num_samples(X) != len(y):
            raise ValueError(
                f"X has {_num_samples(X)} rows but y has {len(y)}: they must "
                "have one per sample."
            )
        routed = process_routing(self, "fit", **params)
        method = _response_method(self.estimator, self.response_method)
        if not hasattr(self.estimator, method):
            raise TypeError(
                f"{type(self.estimator).__name__} has no {method}: the decision "
                "offsets shift log-probabilities or decision values. Pass "
                "response_method= a method it has."
            )
        self.classes_ = np.arange(y.shape[1]) if multilabel else np.unique(y)
        if not multilabel and len(self.classes_) < 2:
            raise ValueError(
                f"y holds one class only ({self.classes_[0]!r}): there is no "
                "decision to tune."
            )
        self._multilabel, self._method = multilabel, method
        responses, fitted = self._cross_fitted(X, y, method, routed)
        reward = (
            MultilabelReward(self.scoring, len(self.classes_))
            if multilabel
            else make_reward(self.scoring, classes=self.classes_)
        )
        self._cost_matrix = _fixed_cost_matrix(reward, method, multilabel)
        self.offsets_, self.best_score_, self.default_score_ = self._tuned(
            reward, X, y, responses, dict(routed.scorer.score)
        )
        self.estimator_ = fitted if fitted is not None else self._refitted(X, y, routed)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
        return self

    def _checked_targets(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target "
                "y is None."
            )
        kind = type_of_target(y, input_name="y")
        if kind == "multilabel-indicator":
            y = np.asarray(y.toarray() if hasattr(y, "toarray") else y)
            return y.astype(np.int64), True
        check_classification_targets(y)
        return column_or_1d(y, warn=True), False

    def _splits(self, y):
        if _is_fraction(self.cv):
            return StratifiedShuffleSplit(
                n_splits=1, test_size=self.cv, random_state=self.random_state
            )
        cv = check_cv(self.cv, y=y, classifier=True)
        if self.refit is False and cv.get_n_splits() > 1:
            raise ValueError(
                "refit=False keeps the classifier of the one split it was tuned "
                "on; with several folds there is none to keep. Use a float cv "
                "(one split), cv='prefit', or refit=True."
            )
        return cv

    def _cross_fitted(self, X, y, method, routed):
        """The classifier's responses on every row, each from a model that
        did not train on it, and the fitted classifier to keep when there is
        no refit (None otherwise)."""
        if self.cv == "prefit":
            if self.refit:
                raise ValueError("When cv='prefit', refit cannot be True.")
            try:
                check_is_fitted(self.estimator, "classes_")
            except NotFittedError as exc:
                raise NotFittedError(
                    "When cv='prefit', `estimator` must be fitted."
                ) from exc
            self._tuned_rows = np.arange(len(y))
            return self._responses(self.estimator, X, method), self.estimator
        splitter = self._splits(y)
        fit_params = routed.estimator.fit
        responses, fitted = None, None
        rows = np.arange(len(y))
        covered = np.zeros(len(y), dtype=bool)
        splitter_params = getattr(routed, "splitter", None)  # none for a float cv
        split_params = {} if splitter_params is None else splitter_params.split
        for train, test in splitter.split(X, y, **split_params):
            model = clone(self.estimator).fit(
                _safe_indexing(X, train),
                _safe_indexing(y, train),
                **_rows_of(fit_params, train, len(y)),
            )
            part = self._responses(model, _safe_indexing(X, test), method)
            if responses is None:
                responses = np.zeros((len(y), part.shape[1]))
            responses[test] = part
            covered[test] = True
            fitted = model
        if not covered.all():  # one split: tune on its test rows only
            rows = np.flatnonzero(covered)
        self._tuned_rows = rows
        return responses, (fitted if self.refit is False else None)

    def _refitted(self, X, y, routed):
        return clone(self.estimator).fit(X, y, **routed.estimator.fit)

    def _tuned(self, reward, X, y, responses, metadata):
        rows = self._tuned_rows
        scores = torch.as_tensor(self._scores(responses[rows]))
        if self._multilabel:
            targets = torch.as_tensor(y[rows])
        else:
            targets = torch.as_tensor(np.searchsorted(self.classes_, y[rows]))
        metadata = _rows_of(metadata, rows, len(y))
        weight = metadata.pop("sample_weight", None)
        if weight is not None:
            weight = torch.as_tensor(np.asarray(weight, dtype=np.float64))
        X_rows, y_rows = _safe_indexing(X, rows), _safe_indexing(y, rows)
        with (
            reward.scored_data(X_rows, y_rows, metadata),
            reward.rows(None, np.arange(len(rows))),
        ):
            default = float(
                reward(targets, _decide(scores, self._multilabel)[None], weight)[0]
                if not reward.needs_scores
                else reward.score_logits(targets, scores[None], weight)[0]
            )
            start = None
            if not self._multilabel and scores.shape[1] == 3:
                start = _joint_grid_start(reward, targets, scores, weight)
            offsets, best = tune_offsets(
                reward,
                targets,
                scores,
                weight,
                multilabel=self._multilabel,
                n_candidates=self.n_candidates,
                start=start,
            )
        return offsets.numpy(), float(best), default

    # ------------------------------------------------------------ deciding
    def _responses(self, model, X, method):
        """The model's responses as one column per class (or label), in
        ``classes_``' order: probabilities, or decision values."""
        out = getattr(model, method)(X)
        if isinstance(out, list):  # MultiOutputClassifier: one (n, 2) per label
            out = np.column_stack([o[:, -1] for o in out])
        out = np.asarray(out, dtype=np.float64)
        if self._multilabel:
            return out
        if out.ndim == 1:  # binary decision values
            out = np.column_stack([np.zeros_like(out), out])
        model_classes = getattr(model, "classes_", self.classes_)
        if len(model_classes) == len(self.classes_):
            return out
        # A class the fold's model never saw: probability 0, or a decision
        # value far below the others (finite, for the search's midpoints).
        lowest = 0.0 if method == "predict_proba" else out.min() - 1e3
        full = np.full((len(out), len(self.classes_)), lowest)
        positions = np.searchsorted(self.classes_, model_classes)
        full[:, positions] = out
        return full

    def _scores(self, responses):
        """What the offsets shift: log-probabilities (log-odds per label),
        minus the expected costs for a fixed cost matrix, or the decision
        values."""
        if self._method != "predict_proba":
            return responses
        p = np.clip(responses, _SMALLEST_PROBABILITY, 1.0)
        if self._multilabel:
            q = np.clip(1.0 - responses, _SMALLEST_PROBABILITY, 1.0)
            return np.log(p) - np.log(q)
        if self._cost_matrix is not None:
            return -(responses @ self._cost_matrix)
        return np.log(p)

    def _decision_scores(self, X):
        check_is_fitted(self, "offsets_")
        responses = self._responses(self.estimator_, X, self._method)
        return self._scores(responses) + np.asarray(self.offsets_)

    def predict(self, X):
        """The class (or the labels) of largest score plus offset.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        decided = _decide(torch.as_tensor(self._decision_scores(X)), self._multilabel)
        if self._multilabel:
            return decided.numpy()
        return self.classes_[decided.numpy()]

    def predict_proba(self, X):
        """The classifier's probabilities, unchanged by the offsets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "offsets_")
        return self.estimator_.predict_proba(X)

    def decision_function(self, X):
        """The scores ``predict`` compares: log-probabilities (or decision
        values, or minus the expected costs) plus the offsets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the second's score minus the first's (positive:
            ``classes_[1]``), as sklearn's binary classifiers return.
        """
        scores = self._decision_scores(X)
        if not self._multilabel and scores.shape[1] == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def score(self, X, y, sample_weight=None):
        """The accuracy of ``predict`` on ``(X, y)``, as
        ``TunedThresholdClassifierCV.score``: pass ``scoring`` to
        ``GridSearchCV`` to select on the tuned score.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        return super().score(X, y, sample_weight=sample_weight)

    # ------------------------------------------------------------ sklearn
    def get_metadata_routing(self):
        """The metadata routing of this estimator: ``fit`` routes to the
        classifier's ``fit``, the splitter's ``split`` and the scorer.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`.
        """
        router = MetadataRouter(owner=self).add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
        if self.cv != "prefit" and not _is_fraction(self.cv):
            router.add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        return router.add(
            scorer=check_scoring(self.estimator, scoring=self.scoring),
            method_mapping=MethodMapping().add(caller="fit", callee="score"),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.pairwise = inner.input_tags.pairwise
        tags.classifier_tags.multi_label = inner.classifier_tags.multi_label
        return tags


def _is_fraction(cv):
    """A float ``cv``: one stratified split with that test fraction."""
    return isinstance(cv, Real) and not isinstance(cv, Integral) and 0 < cv < 1


def _check_not_empty(X):
    """sklearn's errors for data without rows or without columns."""
    if _num_samples(X) == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={getattr(X, 'shape', (0,))}) "
            "while a minimum of 1 is required."
        )
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2 and shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={tuple(shape)}) while a "
            "minimum of 1 is required."
        )


def _decide(scores, multilabel):
    """The decisions of scores: ``> 0`` per label, or the argmax."""
    if multilabel:
        return (scores > 0).long()
    return scores.argmax(dim=-1)


# The joint grid of the two free offsets of three classes (coordinate
# ascent alone can stall where both must move at once).
_GRID = torch.linspace(-8.0, 8.0, 65, dtype=torch.float64)
_GRID_CHUNK = 256


def _joint_grid_start(reward, targets, scores, weight):
    """The best offsets ``(0, a, b)`` of three classes on a grid of ``a``
    and ``b``, scored exactly in chunks of label vectors: the start of the
    coordinate ascent, which then refines them."""
    pairs = torch.cartesian_prod(_GRID, _GRID)
    best, best_pair = -math.inf, None
    for chunk in pairs.split(_GRID_CHUNK):
        offsets = torch.cat([torch.zeros(len(chunk), 1, dtype=torch.float64), chunk], 1)
        shifted = scores[None] + offsets[:, None, :]  # (K, n, 3)
        if reward.needs_scores:
            values = reward.score_logits(targets, shifted, weight, check=False)
        else:
            values = reward(targets, shifted.argmax(-1), weight, check=False)
        values = torch.as_tensor(values)
        k = int(values.argmax())
        if float(values[k]) > best:
            best, best_pair = float(values[k]), offsets[k]
    return best_pair


def _rows_of(metadata, rows, n_samples):
    """Metadata of ``rows``: values with one entry per sample sliced."""
    return RowMetadata(dict(metadata), n_samples).of_rows(rows, len(rows))


def _fixed_cost_matrix(reward, method, multilabel):
    """The cost matrix of a fixed-matrix cost scorer, in class order, when
    the decision is tuned on probabilities; None otherwise."""
    metric = getattr(reward, "_metric", None)
    if (
        multilabel
        or method != "predict_proba"
        or not isinstance(metric, ConfusionCost)
        or metric.reads_metadata
    ):
        return None
    return metric.matrix.numpy()
