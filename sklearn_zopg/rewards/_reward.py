"""Rewards: the user's sklearn scorer applied to many label vectors (or models) at once.

``make_reward`` turns ``scoring`` into a :class:`Reward`. Scorers of the
confusion-matrix family (accuracy, balanced accuracy, precision, recall, F-beta,
Jaccard, MCC) are computed from class counts for all vectors at once; any other
scorer is called once per vector through public API, on a small estimator-like
object that returns the given labels (and, for zeroth-order training, the
model's probabilities).
"""

import contextlib
import inspect
import warnings
from numbers import Real

import numpy as np
import torch
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import get_scorer
from sklearn.utils import _safe_indexing
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import _num_samples

from .._sparse import is_sparse_tensor, to_scipy
from ._counts import ClassCounts, count_metric_for
from ._credit import local_advantage
from ._probabilistic import probability_metric_for, softmax
from ._ranking import AveragePrecision, RocAuc, ranking_metric_for
from ._row_metadata import RowMetadata
from ._scorer_parts import scorer_parts

__all__ = ["Reward", "make_reward"]

_LABEL_METHODS = ("predict",)
# Differences and squares of scores feed the estimates: beyond this they overflow.
_LARGEST_SCORE = 1e100


class _FixedOutputs(ClassifierMixin, BaseEstimator):
    """Estimator-like holder whose predictions are given, for calling scorers."""

    def __init__(self, classes, labels=None, logits=None):
        self.classes = classes
        self.labels = labels
        self.logits = logits

    @property
    def classes_(self):
        return self.classes

    def predict(self, X):
        return self.classes[self.labels]  # a new array

    def _has_logits(self):
        return self.logits is not None

    @available_if(_has_logits)
    def predict_proba(self, X):
        return softmax(self.logits)  # a new array

    @available_if(_has_logits)
    def decision_function(self, X):
        if self.logits.shape[1] == 2:
            return self.logits[:, 1] - self.logits[:, 0]
        return self.logits.copy()


def _argmax_labels(logits):
    """``logits.argmax(-1)``; for two classes one comparison (4x faster on the
    CPU), with argmax's tie rule: class 0 unless class 1 is strictly larger."""
    if logits.shape[-1] == 2:
        return (logits[..., 1] > logits[..., 0]).long()
    return logits.argmax(-1)


def _as_scorer(scoring):
    if isinstance(scoring, str):
        return get_scorer(scoring)  # ValueError naming valid options if unknown
    if callable(scoring):
        if scorer_parts(scoring) is None:
            _refuse_metric_function(scoring)
        return scoring
    raise TypeError(
        "scoring must be a scorer name (see sklearn.metrics.get_scorer_names()), "
        f"a scorer made with make_scorer, or a callable; got {scoring!r}."
    )


def _refuse_metric_function(func):
    """A plain metric ``f(y_true, y_pred)`` passed where a scorer
    ``scorer(estimator, X, y)`` belongs gets a message naming ``make_scorer``."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # builtins without a signature: trust them
        return
    names = list(signature.parameters)
    # Keyword-only parameters are the scorer's metadata (``row_id``, a cost
    # routed by ``set_score_request``): only the positional ones must take
    # ``(estimator, X, y)``.
    required_positional = [
        p
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        and p.default is p.empty
    ]
    try:
        signature.bind_partial(None, None, None)
        takes_scorer_arguments = len(required_positional) <= 3
    except TypeError:
        takes_scorer_arguments = False
    if takes_scorer_arguments and names[:1] not in (["y_true"], ["y"]):
        return
    name = getattr(func, "__name__", type(func).__name__)
    raise TypeError(
        f"scoring={name} looks like a metric function f(y_true, y_pred), but "
        "scoring takes a scorer called as scorer(estimator, X, y). Wrap it: "
        f"scoring=sklearn.metrics.make_scorer({name}) (add "
        "greater_is_better=False for a loss, response_method='predict_proba' "
        "for a metric of probabilities)."
    )


def _row_indexable(X):
    """``(X, None)``, or for a sparse ``X`` of a format without (fast) row
    indexing (COO, DIA, BSR) ``(X as CSR, X's format)``."""
    if issparse(X) and X.format not in ("csr", "csc", "lil", "dok"):
        return X.tocsr(), X.format
    return X, None


def _scorer_name(scoring):
    """How errors name the user's scoring: a string as it is, a scorer of
    ``make_scorer`` by its repr (which names the metric), another callable
    by its name."""
    if isinstance(scoring, str) or hasattr(scoring, "_score_func"):
        return repr(scoring)
    return getattr(scoring, "__name__", type(scoring).__name__)


class Reward:
    """The user's score of label vectors, greater is better.

    Built by :func:`make_reward`; see there.

    Attributes
    ----------
    scorer : callable
        The sklearn scorer ``scorer(estimator, X, y)``.
    parts : ScorerParts or None
        The scorer's metric, keyword arguments, sign and response methods
        when scikit-learn built it (``make_scorer``/``get_scorer``); None for
        other callables, which are always called as they are.
    classes : ndarray or None
        Labels that class indices refer to.
    count_based : bool
        True when the score of label vectors is computed from class counts
        (the confusion-matrix family): fast, exact, with ``swap_scores``.
        (Scorers of whole models have vectorized exact paths in
        ``score_logits`` too: log loss, Brier score, their D² forms, ROC AUC
        (binary, one-vs-rest, one-vs-one), average precision and top-k
        accuracy; other scorers are called once per model.)
    vectorized : bool
        True when K label vectors or models are scored at once by an exact
        twin of the metric (``count_based``, or a metric of logits); False
        when the scorer is called once per vector.
    needs_scores : bool
        True when the scorer reads ``predict_proba``/``decision_function``:
        it cannot score label vectors, only whole models (``score_logits``).
    ranks_rows : bool
        True when the score is one of the order of the rows' scores (ROC
        AUC, average precision, single-label), computed here exactly.
    decomposable : bool
        True when the score is a sum of per-sample terms plus a constant
        (accuracy, balanced accuracy), so that its expectation under
        independent labels can be summed exactly class by class.
    """

    multilabel = False  # MultilabelReward: indicator matrices

    def __init__(self, scoring, classes=None):
        self.scoring = scoring
        self.scorer = _as_scorer(scoring)
        self.classes = None if classes is None else np.asarray(classes)
        self.parts = scorer_parts(self.scorer)
        self.needs_scores = self.parts is not None and not set(
            self.parts.response_methods
        ) <= set(_LABEL_METHODS)
        self._choose_path()

    def _choose_path(self):
        parts = self.parts
        self._metric = None
        if parts is not None and not self.needs_scores and self.classes is not None:
            self._metric = count_metric_for(
                parts.score_func, parts.kwargs, self.classes, parts.sign
            )
        self.count_based = self._metric is not None
        self.decomposable = bool(self.count_based and self._metric.decomposable)
        self._logits_metric = None
        if parts is not None and self.needs_scores and self.classes is not None:
            self._logits_metric = probability_metric_for(
                parts, self.classes
            ) or ranking_metric_for(parts, self.classes)
        if self.count_based and not getattr(self._metric, "reads_metadata", False):
            # One real call surfaces the scorer's own configuration errors
            # (e.g. a default pos_label=1 with string classes), as sklearn would;
            # its warnings (an ill-defined ratio on this probe) are not the user's.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._call(
                    _FixedOutputs(self.classes, np.arange(len(self.classes))),
                    self.classes,
                    None,
                )

    @property
    def ranks_rows(self):
        """True for a scorer of the order of the rows' scores with an exact
        twin here (ROC AUC, average precision): it reads every row's score,
        not only which side of a threshold each row falls."""
        return isinstance(
            getattr(self, "_logits_metric", None), (RocAuc, AveragePrecision)
        )

    @property
    def vectorized(self):
        return self.count_based or self._logits_metric is not None

    # ------------------------------------------------------------ public
    def __call__(self, y_true, Y_pred, sample_weight=None, *, check=True):
        """Score each row of ``Y_pred`` against ``y_true``.

        Parameters
        ----------
        y_true : array-like or tensor of shape (n,)
            True class indices (positions in ``classes``).
        Y_pred : array-like or tensor of shape (K, n) or (n,)
            Predicted class indices, one row per label vector.
        sample_weight : array-like or tensor of shape (n,), default=None
            Weights passed to the scorer.

        check : bool, default=True
            Raise if a score is NaN, infinite or beyond 1e100. ``False``
            leaves that to the caller (:meth:`summary`, :meth:`check_summary`)
            for the count-based path, which then never waits for the device;
            the scorer's own path checks in any case.

        Returns
        -------
        scores : ndarray or tensor of shape (K,)
            Tensor (on ``Y_pred``'s device) when ``Y_pred`` is a tensor.
        """
        self._refuse_scores_scorer()
        y, Y, w, as_numpy = self._inputs(y_true, Y_pred, sample_weight)
        if self.count_based and (w is None or self._metric.takes_weights):
            metric = self._twin(y.shape[0])
            out = metric.score_labels(y, Y, w, len(self.classes))
            return self._checked(out, as_numpy, check)
        return self._checked(self._generic(y, Y, w), as_numpy)

    def surrogate_targets(self, y):
        """The targets of the surrogate phase's loss: the class indices."""
        return y

    def surrogate_weights(self, y):
        """Per-row weights of the surrogate's cross-entropy for the rows
        being scored (:meth:`rows`), or None: for a cost scorer, what each
        row's error costs (cost-proportionate weighting, which makes the
        cross-entropy's decision the cost-optimal one), scaled to mean 1."""
        if not self.count_based or not hasattr(self._metric, "row_stakes"):
            return None
        y = torch.as_tensor(y).long()
        stakes = self._twin(y.shape[0]).row_stakes(y)
        mean = stakes.mean()
        return stakes / mean if mean > 0 else None

    def counts_apply(self, sample_weight=None):
        """Whether :meth:`score_counts` scores label vectors here: a
        count-based reward, with weights only if its metric takes them."""
        return (
            self.count_based
            and self._metric.from_counts
            and (sample_weight is None or self._metric.takes_weights)
        )

    def score_counts(self, counts):
        """Score of ``K`` label vectors from their per-class counts.

        ``counts`` has the attributes of
        :class:`~sklearn_zopg.rewards._counts.ClassCounts` (``tp``, ``pred``,
        ``true``, ``pred_count`` of shape ``(K, C)``, ``true_count`` of shape
        ``(C,)``, and ``present``), however they were counted: a caller that
        knows how its vectors differ can count them faster than from the
        labels. Only where :meth:`counts_apply`.
        """
        return self._metric.score(counts)

    def swap_scores(self, y_true, Y_pred, sample_weight=None):
        """Score of every vector with one sample's label replaced by each class.

        ``swap[k, i, c]`` is the score of ``Y_pred[k]`` with sample ``i``'s
        label set to class ``c`` (so ``swap[k, i, Y_pred[k, i]]`` is the
        score of ``Y_pred[k]`` itself). Computed from class counts in
        ``O(K * n * C)``: available when ``count_based``.

        Returns
        -------
        swap : ndarray or tensor of shape (K, n, C)
        """
        if not self.count_based:
            raise ValueError(
                f"Per-sample credit needs a count-based scorer; {self._name()} is "
                "scored by calling it, which has no per-sample form. Use "
                "credit='batch'."
            )
        y, Y, w, as_numpy = self._inputs(y_true, Y_pred, sample_weight)
        if w is not None and not self._metric.takes_weights:
            self._generic(y, Y[:1], w)  # raises the scorer's own refusal
        C = len(self.classes)
        metric = self._twin(y.shape[0])
        counts = ClassCounts(y, Y, w, C) if metric.needs_counts else None
        if w is None and C * C < Y.shape[1]:
            out = metric.swap_scores_unweighted(counts, y, Y)
        elif w is None and C > 2:
            out = metric.swap_scores_by_class(counts, y, Y)
        else:
            if w is None:
                w = torch.ones(y.shape[0], dtype=torch.float64, device=Y.device)
            out = metric.swap_scores(counts, y, Y, w)
        return self._checked(out, as_numpy)

    def sample_credit(self, y_true, Y_pred, proba, sample_weight=None):
        """Per-sample credit of each sampled label, and the vectors' scores.

        ``advantage[k, i]`` is the score of ``Y_pred[k]`` minus a baseline
        that does not depend on ``Y_pred[k, i]`` (so that the policy gradient
        built from it is unbiased) and tracks the expected score over sample
        ``i``'s label drawn from ``proba[i]``, the rest of the vector fixed.
        Two classes: that expectation exactly, from :meth:`swap_scores`. More
        classes: the closing formula at the expected class counts (exact for
        accuracy and balanced accuracy, to second order for the others), in
        ``O(K * n)`` closing formulas instead of ``O(K * n * C)``.

        Parameters
        ----------
        y_true : array-like or tensor of shape (n,)
            True class indices.
        Y_pred : array-like or tensor of shape (K, n)
            Sampled class indices.
        proba : array-like or tensor of shape (n, C)
            The probabilities the labels were drawn from.
        sample_weight : array-like or tensor of shape (n,), default=None

        Returns
        -------
        advantage : ndarray or tensor of shape (K, n)
        scores : ndarray or tensor of shape (K,)
        """
        y, Y, w, as_numpy = self._inputs(y_true, Y_pred, sample_weight)
        proba = torch.as_tensor(proba, device=Y.device)
        C = len(self.classes)
        if C == 2 or not self.count_based:
            swap = self.swap_scores(y, Y, w)
            advantage, scores = local_advantage(swap, Y, proba)
        else:
            if w is not None and not self._metric.takes_weights:
                self._generic(y, Y[:1], w)  # raises the scorer's own refusal
            metric = self._twin(y.shape[0])
            counts = ClassCounts(y, Y, w, C) if metric.needs_counts else None
            advantage, scores = metric.mean_field_credit(counts, y, Y, w, proba)
            self._checked(advantage, as_numpy)
        if as_numpy:
            return advantage.cpu().numpy(), scores.cpu().numpy()
        return advantage, scores

    def score_logits(self, y_true, logits, sample_weight=None, *, check=True):
        """Score ``K`` models from their logits on one batch.

        Parameters
        ----------
        y_true : tensor of shape (n,)
            True class indices.
        logits : tensor of shape (K, n, C)
            The models' outputs; their argmax are the predicted labels, and
            scorers that need probabilities get their softmax.
        sample_weight : tensor of shape (n,), default=None
        check : bool, default=True
            As in :meth:`__call__`.

        Returns
        -------
        scores : tensor of shape (K,)
        """
        if not self.needs_scores and self.parts is not None:
            return self(y_true, _argmax_labels(logits), sample_weight, check=check)
        # Scorers on probabilities, and callables of unknown form (which may
        # read predict_proba or decision_function), score each model whole.
        y, _, w, _ = self._inputs(y_true, logits[..., 0].long(), sample_weight)
        y_np = y.cpu().numpy()
        w_np = None if w is None else w.cpu().numpy()
        if self._logits_metric is not None and self._vectorizable(y_np, w_np):
            values = self._logits_metric.score_logits(
                y_np, logits.detach().double().cpu().numpy(), w_np
            )
            return self._checked(torch.as_tensor(values), False).to(logits.device)
        y_labels = self.classes[y_np]
        values = []
        for k, k_logits in enumerate(logits.detach().double().cpu().numpy()):
            holder = _FixedOutputs(self.classes, k_logits.argmax(1), k_logits)
            values.append(self._call(holder, y_labels, w_np, model=k))
        return self._checked(torch.tensor(values, dtype=torch.float64), False).to(
            logits.device
        )

    # ------------------------------------------------------------ internals
    def _twin(self, n):
        """The count-based twin of the scorer for the ``n`` rows being
        scored: with their routed metadata bound, for a cost per row."""
        if not getattr(self._metric, "reads_metadata", False):
            return self._metric
        source, index = self.__dict__.get("_source"), self._scored_rows(n)
        if source is not None and source[3] and index is not None:
            # the costs of all rows bound once per block, then sliced
            return source[3].bound(self._metric).rows(index)
        return self._metric.for_rows(self._metadata(n), n)

    def _vectorizable(self, y, w):
        """Whether the vectorized metric of logits applies: both classes in
        a binary batch (the scorers encode the classes present; with more
        classes the metric scores a batch that lacks some as with
        ``labels=`` the fitted classes, or leaves them out of its average,
        where the scorer would refuse it), weights that do not sum to 0 (an
        error there), and a configuration the metric computes (one-vs-one AUC
        refuses weights)."""
        C = len(self.classes)
        every_class = C > 2 or np.bincount(y, minlength=C).min() > 0
        return bool(
            every_class
            and (w is None or w.sum() > 0)
            and self._logits_metric.accepts(len(self.classes), w is not None)
        )

    def _name(self):
        return _scorer_name(self.scoring)

    def _refuse_scores_scorer(self):
        if self.needs_scores:
            raise ValueError(
                f"scoring={self._name()} reads predicted probabilities or decision "
                "values, but policy gradient samples labels and can only score "
                "labels. Use ZOClassifier, which scores the perturbed model as a "
                "whole, or a label scorer such as 'f1' or 'accuracy'."
            )

    def _inputs(self, y_true, Y_pred, sample_weight):
        as_numpy = not torch.is_tensor(Y_pred)
        Y = torch.as_tensor(np.asarray(Y_pred) if as_numpy else Y_pred)
        if Y.ndim == 1:
            Y = Y[None]
        Y = Y.long()
        y = torch.as_tensor(y_true, device=Y.device).long()
        if self.classes is None:
            self.classes = np.arange(max(2, int(max(y.max(), Y.max())) + 1))
            self._choose_path()
        w = None
        if sample_weight is not None:
            w = torch.as_tensor(sample_weight, device=Y.device).to(torch.float64)
        if Y.shape[1] != y.shape[0] or (w is not None and w.shape != y.shape):
            raise ValueError(
                f"y_true has {y.shape[0]} samples, Y_pred rows {Y.shape[1]} and "
                f"sample_weight {None if w is None else tuple(w.shape)}: they must "
                "agree."
            )
        return y, Y, w, as_numpy

    def _generic(self, y, Y, w):
        y_labels = self.classes[y.cpu().numpy()]
        w_np = None if w is None else w.cpu().numpy()
        holder = _FixedOutputs(self.classes)
        values = []
        for row in Y.cpu().numpy():
            holder.labels = row
            values.append(self._call(holder, y_labels, w_np))
        return torch.tensor(values, dtype=torch.float64, device=Y.device)

    def rows(self, X, index=None):
        """Within this block, the scorer calls made here pass the scored rows
        as the scorer's ``X``, for callables ``scorer(estimator, X, y)`` that
        read it (a profit per row, say); the model's outputs come from the
        holder, not from ``X``. ``X`` is the batch's features (a tensor or
        array); ``index``, the rows' positions in the data of
        :meth:`scored_data`, which, when set, the scorer gets instead: the
        user's own rows, of the type, columns and index the user passed.
        Outside, a placeholder of zeros."""
        return self._holding("_rows", (X, index))

    def scored_data(self, X, y=None, metadata=None):
        """Within this block, :meth:`rows` given an ``index`` hands the
        scorer those rows of ``X`` and ``y`` (the user's data as passed to
        ``fit``: arrays, DataFrames, Series, sparse matrices or lists),
        taken with sklearn's ``_safe_indexing`` (a sparse format without
        row indexing, such as COO, is indexed through one CSR copy and its
        rows handed back in the user's format), and ``metadata`` (the
        scorer's routed metadata, a dict) as keyword arguments, its values
        of one entry per row of ``X`` sliced to the same rows. Not kept
        after the block, nor pickled."""
        n_rows = None if X is None else _num_samples(X)
        metadata = RowMetadata(dict(metadata or {}), n_rows)
        return self._holding("_source", (*_row_indexable(X), y, metadata))

    def _metadata(self, n):
        """The routed metadata of the ``n`` rows being scored (a dict)."""
        source = self.__dict__.get("_source")
        if source is None or not source[3]:
            return {}
        return source[3].of_rows(self._scored_rows(n), n)

    def _scored_rows(self, n):
        """The positions in the user's data of the ``n`` rows being scored,
        or None when they are not known (no :meth:`scored_data`)."""
        _, index = self.__dict__.get("_rows") or (None, None)
        if self.__dict__.get("_source") is None or index is None or len(index) != n:
            return None
        return np.asarray(index.cpu() if torch.is_tensor(index) else index)

    def _features(self, n):
        """The ``X`` a scorer call on ``n`` rows gets (its own copy)."""
        index = self._scored_rows(n)
        if index is not None:
            X, user_format, _, _ = self._source
            rows = _safe_indexing(X, index)  # a new container
            return rows if user_format is None else rows.asformat(user_format)
        X, _ = self.__dict__.get("_rows") or (None, None)
        if X is None or len(X) != n:
            return np.zeros((n, 1))
        if is_sparse_tensor(X):
            return to_scipy(X)
        if torch.is_tensor(X):
            return X.detach().cpu().numpy().copy()
        return np.array(X)

    def _user_targets(self, y):
        """The ``y`` a scorer call gets: the user's own rows (values and
        type) where known, else a copy of ``y``."""
        index = self._scored_rows(len(y))
        if index is not None and self._source[2] is not None:
            return _safe_indexing(self._source[2], index)
        return np.array(y)

    def scored_net(self, net):
        """Within this block, the estimator each scorer call gets has the
        attribute ``net_``: ``net``, the skorch net being trained, as on a
        fitted estimator, so that a scorer ``scorer(estimator, X, y)`` can
        read the model itself (``estimator.net_.module_``: a cost per feature
        a gate keeps, say). Not kept after the block, nor pickled."""
        return self._holding("_net", net)

    def model_states(self, state_of):
        """Within this block, the call scoring the ``k``-th of several models
        (:meth:`score_logits`) runs within ``state_of(k)``, a context manager
        that puts the net of :meth:`scored_net` in that model's state (ZO's
        parameters at ``theta + eps * u_k``), so that a scorer reading
        ``estimator.net_`` reads the model it scores."""
        return self._holding("_state_of", state_of)

    def _model_state(self, model):
        state_of = self.__dict__.get("_state_of")
        if model is None or state_of is None:
            return contextlib.nullcontext()
        return state_of(model)

    # What the blocks above set: never kept after them, nor pickled.
    _TRANSIENT = ("_rows", "_source", "_net", "_state_of")

    @contextlib.contextmanager
    def _holding(self, name, value):
        """``self.<name> = value`` within the block, the previous value after."""
        previous = self.__dict__.get(name)
        setattr(self, name, value)
        try:
            yield self
        finally:
            setattr(self, name, previous)

    def __getstate__(self):
        state = dict(self.__dict__)
        for transient in self._TRANSIENT:
            state.pop(transient, None)
        return state

    def _call(self, holder, y_labels, sample_weight, model=None):
        # The scorer gets arrays of its own, as from a fitted estimator: one
        # that edits X, y, the weights or a prediction in place must not
        # change the training data or the step's samples (the holders'
        # methods return copies). ``model``: which of the models being
        # scored (:meth:`model_states`), None for label vectors of one model.
        X = self._features(len(y_labels))
        metadata = self._metadata(len(y_labels))
        y_labels = self._user_targets(y_labels)
        net = self.__dict__.get("_net")
        if net is not None:
            holder.net_ = net
        try:
            with self._model_state(model):
                if sample_weight is not None:
                    metadata["sample_weight"] = np.array(sample_weight)
                value = self.scorer(holder, X, y_labels, **metadata)
        except AttributeError as exc:
            if net is None and "net_" in str(exc):
                raise ValueError(
                    f"scoring={self._name()} read estimator.net_ in a call with "
                    "no net to read: the regressors score the constant mean "
                    "prediction once before training, to set the score's unit, "
                    "and a reward of make_reward scores outside any fit. Read it "
                    "as getattr(estimator, 'net_', None) and leave the "
                    "parameters' part out when it is None."
                ) from exc
            raise ValueError(
                f"scoring={self._name()} asked the model for something other than "
                f"labels ({exc}); policy gradient can only score labels. Use "
                "ZOClassifier for scorers on probabilities."
            ) from exc
        except Exception as exc:
            raise ValueError(
                f"scoring={self._name()} raised {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(value, Real | np.number) or np.ndim(value) != 0:
            raise TypeError(
                f"scoring={self._name()} must return a single number; got "
                f"{type(value).__name__}."
            )
        return float(value)

    @staticmethod
    def summary(scores):
        """``[all finite, largest absolute value]`` of scores, as a float64
        tensor on their device (no host synchronization):
        :meth:`check_summary` reads it, once fetched with the step's other
        numbers."""
        if not scores.numel():
            return torch.tensor([1.0, 0.0], dtype=torch.float64, device=scores.device)
        return torch.stack(
            [torch.isfinite(scores).all().double(), scores.abs().max().double()]
        )

    def check_summary(self, finite, largest):
        """Raise the reward's errors from the numbers of :meth:`summary`."""
        if not finite:
            raise ValueError(
                f"scoring={self._name()} returned NaN or infinity on a training "
                "batch (for example zero_division=np.nan on a batch where the "
                "score is undefined); the reward must be a finite number."
            )
        if largest > _LARGEST_SCORE:
            raise ValueError(
                f"scoring={self._name()} returned {largest:.3g} in "
                f"absolute value; scores beyond {_LARGEST_SCORE:.0e} overflow the "
                "gradient estimates built from their differences. Rescale the "
                "scorer (for example divide a cost by a constant)."
            )

    def _checked(self, out, as_numpy, check=True):
        if check:
            self.check_summary(*self.summary(out).tolist())
        return out.cpu().numpy() if as_numpy else out


def make_reward(scoring, *, classes=None):
    """Turn an sklearn scorer into a vectorized reward of label vectors.

    Parameters
    ----------
    scoring : str, callable
        A scorer name (``sklearn.metrics.get_scorer_names()``), a scorer made
        with :func:`sklearn.metrics.make_scorer`, or a callable
        ``scorer(estimator, X, y) -> float``. Greater is better; ``neg_*``
        scorers keep their sign.
    classes : array-like of shape (C,), default=None
        The labels that class indices stand for; ``scorer`` sees
        ``classes[index]``. If None, class ``c`` is the integer label ``c``
        and the classes are fixed (and the fast path chosen) at the first call.

    Returns
    -------
    reward : Reward
        ``reward(y_true, Y_pred, sample_weight=None)`` scores each row of the
        ``(K, n)`` array of class indices ``Y_pred``; ``reward.swap_scores`` gives
        per-sample credit; ``reward.count_based`` tells whether the count-based
        path (equal to sklearn to float64 rounding) is used. Tensors in give
        tensors out, on the same device.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_zopg import make_reward
    >>> reward = make_reward("f1", classes=np.array([0, 1]))
    >>> reward.count_based
    True
    >>> reward(np.array([0, 1, 1]), np.array([[0, 1, 1], [1, 1, 0]])).round(3)
    array([1. , 0.5])
    """
    return Reward(scoring, classes)
