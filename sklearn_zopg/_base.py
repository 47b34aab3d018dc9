"""Shared sklearn estimator: parameters, validation, labels, the skorch net, predict."""

import contextlib
import copy
import inspect
import math
import threading
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._batches import RowBatches, as_tensors, training_dataset
from ._budget import CosineDecay, phase_epochs, user_schedules
from ._chunks import Chunk, surrogate_phase
from ._early_stopping import BestAcrossPhases, StratifiedHoldout, ValidationScore
from ._messages import CONTINUATIONS, preview
from ._modules import build_module, check_module_output, fit_inputs
from ._net import (
    PREDICT_CHUNK,
    FitProgress,
    MultilabelBCE,
    TemperedSigmoid,
    TemperedSoftmax,
    WeightDecay,
)
from ._offsets import tune_offsets
from ._persistence import (
    module_from_plain,
    module_to_plain,
    net_state,
    restore_net,
    restored_device,
)
from ._precision import training_dtype
from ._quantiles import inputs_mapped, mapped_rows
from ._routing import metadata_router, routed_scorer_params
from ._scaling import warn_if_unscaled
from ._sparse import SPARSE_FORMAT, density, probe_rows
from ._threads import call_threads
from .rewards import MultilabelReward, make_reward

# Module construction draws from torch's global generator: fits in several
# threads take turns there, inside fork_rng, so that each is seeded alone.
_GLOBAL_RNG = threading.Lock()
# Optimizers whose fused kernels run on the CPU and CUDA alike.
_FUSED_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW)
# How a saved fitted structure names the module instance of the parameters.
_SAME_MODULE = "the module parameter"
# Layers that draw from torch's global generator while training.
_STOCHASTIC_LAYERS = (torch.nn.modules.dropout._DropoutNd, torch.nn.RReLU)


def _check_device(device):
    """``device`` as a ``torch.device``; only CPU and (available) CUDA train."""
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device={device!r} is not a torch device ({exc}).") from exc
    if device.type not in ("cpu", "cuda"):
        raise ValueError(
            f"device={str(device)!r} cannot train a model: use 'cpu' or 'cuda'."
        )
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={str(device)!r} was requested but CUDA is not available on "
            "this machine; use device='cpu'."
        )
    return device


def _is_callback(entry):
    from skorch.callbacks import Callback

    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
        entry = entry[1]
    return isinstance(entry, Callback) or (
        isinstance(entry, type) and issubclass(entry, Callback)
    )


def _scores_validation(entry):
    """Whether a callbacks entry is an ``EpochScoring`` of the validation rows."""
    from skorch.callbacks import EpochScoring, PassthroughScoring

    if isinstance(entry, tuple):
        entry = entry[1]
    if isinstance(entry, type):
        return issubclass(entry, EpochScoring) and not issubclass(
            entry, PassthroughScoring
        )
    return (
        isinstance(entry, EpochScoring)
        and not isinstance(entry, PassthroughScoring)
        and not entry.on_train
    )


def _monitor(entry):
    """The history key a callbacks entry watches (skorch's ``monitor``,
    optuna's ``_monitor``), or None."""
    if isinstance(entry, tuple):
        entry = entry[1]
    for name in ("monitor", "_monitor"):
        value = getattr(entry, name, None)
        if isinstance(value, str):
            return value
    return None


def _callback_name(entry):
    """How an error message names a callbacks entry."""
    if isinstance(entry, tuple):
        return entry[0]
    if isinstance(entry, type):
        return entry.__name__
    for name in (getattr(entry, "name", None), getattr(entry, "scoring", None)):
        if isinstance(name, str):
            return f"{type(entry).__name__}({name!r})"
    return type(entry).__name__


def _own_copy(entry):
    """A callbacks entry as the net gets it: an instance copied (shallow, so
    that what it refers to, an optuna trial say, is shared), since skorch
    initializes and updates the callbacks it is given, and the user's
    ``callbacks`` parameter must stay as the user gave it."""
    if isinstance(entry, tuple):
        name, callback = entry
        return name, _own_copy(callback)
    return entry if isinstance(entry, type) else copy.copy(entry)


def _silent(text):
    """A sink that prints nothing (skorch callbacks print unless told)."""


def _same_setting(a, b):
    """Whether a structure parameter is unchanged (a module instance: the same one)."""
    if isinstance(a, torch.nn.Module) or isinstance(b, torch.nn.Module):
        return a is b
    sequences = (list, tuple, np.ndarray)
    if isinstance(a, sequences) and isinstance(b, sequences):
        return np.array_equal(np.asarray(a), np.asarray(b))
    return a == b


def _shown(value):
    """A parameter's value as an error message shows it: a sequence as a
    :func:`preview`, anything else by its ``repr`` cut to 200 characters."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return preview(value)
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


@contextlib.contextmanager
def _seeded_global_rng(seed):
    """torch's global generator seeded for the block and restored after it,
    one thread at a time."""
    with _GLOBAL_RNG, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def _training_rng(module, seed):
    """Training draws from the net's own generators; a module whose layers
    draw from torch's global one (dropout) trains inside ``fork_rng``."""
    if any(isinstance(m, _STOCHASTIC_LAYERS) for m in module.modules()):
        return _seeded_global_rng(seed)
    return contextlib.nullcontext()


def _multilabel_targets(y, chunk=False):
    """A 2-D ``y`` as an int64 0/1 indicator matrix; clear errors for what is
    not. A ``partial_fit`` chunk may hold constant label columns."""
    kind = type_of_target(y)
    if kind != "multilabel-indicator":
        raise ValueError(
            f"y has {y.shape[1]} columns but is {kind!r}, not a 0/1 indicator "
            "matrix: multilabel y must hold 0 and 1 only (one column per label); "
            "multioutput-multiclass targets are not supported (fit one "
            "estimator per output, e.g. with MultiOutputClassifier)."
        )
    y = np.asarray(y.toarray() if hasattr(y, "toarray") else y)
    values = np.unique(y)
    if not np.isin(values, (0, 1)).all():
        # type_of_target calls any two-valued integer matrix an indicator;
        # casting {0, 2} or {-1, 1} would train on labels that are not there.
        raise ValueError(
            f"The multilabel y holds the values {preview(values)}; an indicator "
            "matrix holds 0 (label absent) and 1 (label present) only. Map it "
            "first, for example (y > 0).astype(int) for {0, 2} or {-1, 1} "
            "labels."
        )
    y = y.astype(np.int64)
    constant = np.flatnonzero(y.min(0) == y.max(0))
    if constant.size and not chunk:
        raise ValueError(
            f"Label column(s) {preview(constant)} of the multilabel y are "
            "constant in the training data: there is nothing to learn for them "
            "and their scores are undefined. Drop them, or add samples of both "
            "values."
        )
    return y


def dense_targets(y):
    """``y`` with a scipy sparse matrix or array made dense (targets are
    small: one value per row and output), other inputs as they are."""
    return y.toarray() if issparse(y) else y


def _stopped_early(net):
    """Whether the last training call ended because an ``EarlyStopping``
    callback (ours or the user's) ran out of patience, not by an interrupt.
    skorch resets its patience at each training call, so the next phase is
    watched afresh."""
    from skorch.callbacks import EarlyStopping

    return any(
        isinstance(callback, EarlyStopping)
        and getattr(callback, "misses_", 0) >= callback.patience
        for _, callback in net.callbacks_
    )


def _fresh_optimizer(net):
    """A new optimizer for a phase, each group marked with its initial
    ``lr`` as torch's schedulers mark the groups they start on: a skorch
    ``LRScheduler``, created anew at each training call with ``last_epoch``
    the epochs already in the history, then resumes there (the schedule
    spans both phases and warm starts, the score phase starting from its own
    ``lr``) instead of failing for want of ``initial_lr``."""
    net.initialize_optimizer()
    for group in net.optimizer_.param_groups:
        group.setdefault("initial_lr", group["lr"])
    if net.phase == "score" and net.schedule == "alternate":
        net.initialize_alternate_optimizer()


def _kept_rows(X, train, sample_weight):
    """The rows that train: ``X``, the targets and the weights without the
    rows of zero weight, and the user's row of each. Rows of zero weight
    count in no weighted score or loss, so training on the others is the
    fit on the rows removed (sklearn's sample weight semantics), and no
    batch is left with a weight sum of 0."""
    rows = np.arange(X.shape[0])
    if sample_weight is not None and not sample_weight.all():
        rows = np.flatnonzero(sample_weight)
        X, train, sample_weight = X[rows], train[rows], sample_weight[rows]
    return X, train, sample_weight, rows


def _module_dtype(module):
    """The dtype of ``module``'s parameters (float64 for a module without)."""
    parameter = next(module.parameters(), None)
    return torch.float64 if parameter is None else parameter.dtype


def _dataset(X, train, sample_weight, rows, net):
    """The kept rows as the net's training dataset, on its device and in its
    module's dtype, through the module's input map (train within
    :func:`~sklearn_zopg._quantiles.inputs_mapped`); ``index`` maps each row
    to the user's row."""
    device = torch.device(net.device)
    X = as_tensors(X, device, _module_dtype(net.module_))
    return training_dataset(
        mapped_rows(net.module_, X),  # the input map applied once
        as_tensors(train, device),  # class indices, or y as the user gave it
        None if sample_weight is None else as_tensors(sample_weight, device),
        index=torch.as_tensor(rows),
    )


class Targets:
    """What ``fit`` learned about ``y``: the training targets the net sees,
    the number of module outputs, the reward, and the fitted attributes."""

    def __init__(self, train, n_outputs, reward, attributes):
        self.train = train
        self.n_outputs = n_outputs
        self.reward = reward
        self.attributes = attributes


class BaseScoreEstimator(BaseEstimator):
    """Base of the score-trained estimators. Not for direct use.

    Subclasses set ``_net_class`` (a :class:`~sklearn_zopg._net.ScoreNet`
    subclass whose ``score_step`` is the method) and ``_method_parameters``
    (the names of the estimator's parameters that the net takes as its own),
    and define the target hooks (``_targets``, ``_check_same_targets``,
    ``_output_layer``, ``_check_reward``).
    """

    _net_class = None
    _method_parameters = ()
    # What the module returns, as error messages name it.
    _module_outputs = "logits"
    # Parameters that fix the module's shape: a warm start cannot change them.
    _structure_parameters = ("module", "module_params", "hidden_layer_sizes")

    _parameter_constraints = {
        "scoring": [str, callable],
        "module": [None, torch.nn.Module, type],
        "module_params": [None, dict],
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "optimizer": [type],
        "optimizer_params": [None, dict],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [None, list],
        "warm_start": ["boolean"],
        "surrogate_epochs": [
            Interval(Integral, 0, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "surrogate_lr": [None, Interval(Real, 0, None, closed="neither")],
        "surrogate_schedule": [StrOptions({"before", "alternate"})],
        "surrogate_every": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "lr_schedule": [StrOptions({"cosine", "constant"})],
    }

    def __init__(
        self,
        *,
        scoring="accuracy",
        module=None,
        module_params=None,
        hidden_layer_sizes=(64,),
        optimizer=torch.optim.Adam,
        optimizer_params=None,
        lr=0.01,
        max_epochs=100,
        batch_size=256,
        device="cpu",
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
        surrogate_epochs=0,
        surrogate_lr=None,
        surrogate_schedule="before",
        surrogate_every=1,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        weight_decay=0.01,
        lr_schedule="constant",
    ):
        self.scoring = scoring
        self.module = module
        self.module_params = module_params
        self.hidden_layer_sizes = hidden_layer_sizes
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.surrogate_epochs = surrogate_epochs
        self.surrogate_lr = surrogate_lr
        self.surrogate_schedule = surrogate_schedule
        self.surrogate_every = surrogate_every
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule

    def set_params(self, **params):
        """Set the estimator's parameters (sklearn's ``set_params``).

        skorch's nested keys (``module__x``, ``optimizer__x``,
        ``callbacks__name__x``) are refused with the way to set them here:
        ``module_params``, ``optimizer_params``, or a new ``callbacks`` list.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : object
        """
        ways = {
            "module": "module_params={'%s': ...} (a dict of the module's "
            "arguments; a GridSearchCV grid lists such dicts)",
            "optimizer": "optimizer_params={'%s': ...} (a dict of the "
            "optimizer's arguments; lr= sets the learning rate)",
            "callbacks": "callbacks=[...], a new list of callbacks with "
            "'%s' set on them",
        }
        for key in params:
            prefix, _, rest = key.partition("__")
            if rest and prefix in ways:
                raise ValueError(
                    f"{key!r} is skorch's way to set an argument of the "
                    f"{prefix}; {type(self).__name__} takes "
                    f"{ways[prefix] % rest.rsplit('__', 1)[-1]}."
                )
        return super().set_params(**params)

    # ------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Train the module to maximize ``scoring`` on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; NaN and infinity are refused. A scipy sparse
            matrix or array (any format) is kept sparse: the module gets
            torch sparse CSR batches (see the user guide, "Text and sparse
            input").
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels of any type sklearn accepts, or a multilabel 0/1
            indicator matrix (one column per label, as ``MLPClassifier``
            takes; dense or sparse, other values than 0 and 1 are refused):
            the module then has one output per label, PG samples each
            entry from ``sigmoid(f / temperature)``, ZO predicts ``f > 0``,
            and the surrogate phase uses binary cross-entropy per label.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, passed to the scorer (a weighted score) and
            to the surrogate phase's cross-entropy. Rows of weight 0 count in
            neither and are left out of training: the fit is the fit on the
            other rows.
        **params : dict
            Metadata for ``scoring``, routed as scikit-learn routes them
            (only with ``sklearn.set_config(enable_metadata_routing=True)``):
            what the scorer requested with ``set_score_request`` reaches
            every call of it, values of one entry per row sliced to the rows
            it scores (each training batch, the validation split, the tuning
            of the decision offsets). See the user guide, "Per-row costs and
            scorer metadata".

        Returns
        -------
        self : object
            The fitted estimator.

        Notes
        -----
        If ``fit`` raises (bad input, a failing scorer, divergence, an
        interruption before training starts), the estimator is left exactly
        as it was before the call, fitted model included: a warm start
        trains a copy and keeps it only when the fit succeeds. A
        ``KeyboardInterrupt`` during training ends the fit early and keeps
        the parameters reached so far (skorch's behaviour); during the
        surrogate phase it ends the whole fit.
        """
        return self._restoring_on_error(self._fit, X, y, sample_weight, params)

    def _restoring_on_error(self, method, *args):
        """``method(*args)``, the estimator's attributes restored if it raises."""
        previous = dict(self.__dict__)
        try:
            return method(*args)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous)
            raise

    def _fit(self, X, y, sample_weight, params):
        device = self._check_settings()
        metadata = routed_scorer_params(self, "fit", params)
        continued = self.net_ if self.warm_start and hasattr(self, "net_") else None
        fitted_width = getattr(self, "n_features_in_", None)
        X_user, y_user = X, dense_targets(y)
        X, targets, sample_weight = self._targets(
            X, y, sample_weight, metadata=metadata
        )
        reward = targets.reward
        self._check_reward(reward)
        if continued is not None:
            self._check_continuable(targets, X.shape[1], fitted_width)
        rng = check_random_state(self.random_state)
        seed, split_seed = (int(rng.randint(2**31 - 1)) for _ in range(2))

        X, train, sample_weight, rows = _kept_rows(X, targets.train, sample_weight)
        net = self._build_net(reward, X, targets.n_outputs, device, seed, sample_weight)
        if continued is not None:
            net.module_.load_state_dict(continued.module_.state_dict())
            net.history_ = copy.deepcopy(continued.history)
        dataset = _dataset(X, train, sample_weight, rows, net)
        if self.early_stopping:
            net.set_params(
                train_split=StratifiedHoldout(self.validation_fraction, split_seed)
            )
        with (
            _training_rng(net.module_, seed + 2),
            inputs_mapped(net.module_),
            self._fit_threads(net, X, device),
            net.reward.scored_data(X_user, y_user, metadata),
            net.reward.scored_net(net),
        ):
            self._run_phases(
                net, dataset, self._training_rows(X), continued is not None
            )
            decision = self._decision_attributes(net, dataset, targets)

        for name, value in {**targets.attributes, **decision}.items():
            setattr(self, name, value)
        self.net_ = net
        self.n_iter_ = len(net.history)
        self._fitted_structure = self._structure()
        self.best_validation_score_ = self._best_validation_score(net)
        return self

    def _partial_fit(self, X, y, sample_weight, params, classes=None):
        """One ``partial_fit`` call: build the model at the first, then one
        pass over the rows, on the surrogate for the first
        ``surrogate_epochs`` calls of a model built here, else on the score.

        Every call trains with the estimator's current parameters: a later
        call rebuilds the net from them and carries over the fitted state
        (module, optimizer and its momenta, history, generators, the
        alternating schedule), exactly as a pickle round trip does, so that
        moving the model between calls (dask, skops) changes nothing, and a
        call that raises leaves ``net_`` as it was."""
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: each call "
                "trains one pass over its rows and holds none out to stop on. "
                "Set early_stopping=False, or use fit."
            )
        first = not hasattr(self, "net_")
        device = self._check_settings()
        metadata = routed_scorer_params(self, "partial_fit", params)
        X_user, y_user = X, dense_targets(y)
        X, targets, sample_weight = self._targets(
            X, y, sample_weight, chunk=Chunk(first, classes), metadata=metadata
        )
        if first:
            self._check_reward(targets.reward)
            seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        else:
            self._check_continuable(
                targets, X.shape[1], self.n_features_in_, by="partial_fit"
            )
        X, train, sample_weight, rows = _kept_rows(X, targets.train, sample_weight)
        if first:
            net = self._build_net(
                targets.reward, X, targets.n_outputs, device, seed, sample_weight
            )
        else:
            net = self._continued_net()
            device = torch.device(net.device)
        dataset = _dataset(X, train, sample_weight, rows, net)
        phase = (
            "surrogate"
            if surrogate_phase(
                net.history,
                phase_epochs(
                    self.surrogate_epochs, X.shape[0], self.batch_size, "surrogate"
                ),
            )
            else "score"
        )
        lr = self._score_lr(net.reward)
        if phase == "surrogate":
            lr = self.surrogate_lr or lr
        if first or phase != net.phase:
            net.set_params(phase=phase, lr=lr)
            _fresh_optimizer(net)
        elif lr != net.lr:  # lr changed since the last call; else the
            net.set_params(lr=lr)  # optimizer's (scheduled) lr goes on
        with (
            _training_rng(net.module_, net.seed + 2 + len(net.history)),
            inputs_mapped(net.module_),
            self._fit_threads(net, X, device),
            net.reward.scored_data(X_user, y_user, metadata),
            net.reward.scored_net(net),
        ):
            net.partial_fit(dataset, epochs=1)
            decision = self._chunk_decision_attributes(net, dataset, targets)
        attributes = {**targets.attributes, **decision} if first else decision
        for name, value in attributes.items():
            setattr(self, name, value)
        if first:
            self._fitted_structure = self._structure()
        self.net_ = net
        self.n_iter_ = len(net.history)
        self.best_validation_score_ = None
        return self

    def _continued_net(self):
        """``net_`` rebuilt from the estimator's current parameters with its
        fitted state: the net a pickle round trip gives, sharing no tensor
        with ``net_``. The fitted reward is kept while ``scoring`` is the
        one it was built for (building it calls the scorer once)."""
        fitted = self.net_.reward
        same = getattr(fitted, "scoring", None) is self.scoring
        saved = copy.deepcopy(self._saved_net_state(self.net_))
        net = self._restored_net(saved, reward=fitted if same else None)
        # the optimizer's settings as they are now (its state keeps the saved)
        settings = {
            key: value
            for key, value in self._optimizer_params().items()
            if key in net.optimizer_.defaults
        }
        for group in net.optimizer_.param_groups:
            group.update(settings)
        if self.weight_decay != "auto":  # "auto" stays as the first call fixed it
            dict(net.callbacks_)["weight_decay"].weight_decay = self.weight_decay
        return net

    def _fit_threads(self, net, X, device):
        """The intra-op threads of a fit on ``X``: its calls are batches."""
        rows = min(self.batch_size, X.shape[0])
        return call_threads(net.module_, device, rows, X.shape[1], density(X))

    def _check_settings(self):
        """What ``_parameter_constraints`` cannot say; returns the device."""
        try:
            sizes = np.asarray(self.hidden_layer_sizes, dtype=float)
        except (TypeError, ValueError):
            sizes = np.array([np.nan])
        if sizes.ndim != 1 or not np.all((sizes > 0) & (sizes == np.round(sizes))):
            raise ValueError(
                "hidden_layer_sizes must be positive integers; got "
                f"{self.hidden_layer_sizes!r}."
            )
        if not issubclass(self.optimizer, torch.optim.Optimizer):
            raise TypeError(
                "optimizer must be a torch.optim.Optimizer subclass such as "
                f"torch.optim.Adam; got {self.optimizer!r}."
            )
        self._check_optimizer_params()
        if isinstance(self.module, type) and not issubclass(
            self.module, torch.nn.Module
        ):
            raise TypeError(
                "module must be None, a torch.nn.Module subclass or a "
                f"torch.nn.Module instance; got {self.module!r}."
            )
        if self.module_params is not None and not isinstance(self.module, type):
            raise ValueError(
                "module_params is only used with module= a torch.nn.Module class; "
                f"with module={self.module!r} it would be ignored. Use "
                "hidden_layer_sizes for the default MLP, or configure the module "
                "instance yourself."
            )
        bad = [c for c in self.callbacks or [] if not _is_callback(c)]
        if bad:
            raise TypeError(
                "callbacks must be skorch callbacks (instances, classes or "
                f"(name, callback) pairs); got {preview(bad)}."
            )
        unscored = [
            _callback_name(c) for c in self.callbacks or [] if _scores_validation(c)
        ]
        watching = [
            f"{_callback_name(c)} (monitor={_monitor(c)!r})"
            for c in self.callbacks or []
            if str(_monitor(c)).startswith("valid_")
        ]
        if watching and not self.early_stopping:
            raise ValueError(
                f"callbacks watch a validation score ({preview(watching)}), "
                "which is recorded only where rows are held out: set "
                "early_stopping=True (validation_fraction sets the share held "
                "out; a large n_iter_no_change keeps it from stopping the fit), "
                "or monitor 'train_score' or 'train_loss'."
            )
        if unscored and not self.early_stopping:
            raise ValueError(
                f"callbacks hold a validation EpochScoring ({preview(unscored)}), "
                "which scores held-out rows; without early_stopping=True no row "
                "is held out and it would record nothing. Set "
                "early_stopping=True (validation_fraction sets the share held "
                "out; a large n_iter_no_change keeps it from stopping the fit), "
                "or on_train=True to score the training batches."
            )
        return _check_device(self.device)

    def _check_optimizer_params(self):
        """``optimizer_params`` keys the optimizer takes, ``lr`` excepted."""
        given = dict(self.optimizer_params or {})
        if "lr" in given:
            raise ValueError(
                "optimizer_params sets 'lr', which the estimator's own lr (and "
                "surrogate_lr) set for each phase; pass lr= instead."
            )
        parameters = inspect.signature(self.optimizer).parameters
        if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            return  # an optimizer of **kwargs checks its own
        accepted = [name for name in parameters if name not in ("params", "lr")]
        unknown = [key for key in given if key not in accepted]
        if unknown:
            raise ValueError(
                f"optimizer_params has {preview(unknown)}, which "
                f"{self.optimizer.__name__} does not take; it takes "
                f"{preview(accepted, 12)}."
            )

    def _optimizer_params(self):
        """``optimizer_params``, with torch's fused kernel for Adam and AdamW
        unless the user chose an implementation: one pass over each
        parameter instead of a dozen (6x faster on the CPU for a 2^18 x 64
        first layer, and the same update)."""
        params = dict(self.optimizer_params or {})
        implementation = ("fused", "foreach", "differentiable", "capturable")
        if self.optimizer in _FUSED_OPTIMIZERS and not set(implementation) & set(
            params
        ):
            params["fused"] = True
        return params

    def _score_lr(self, reward):
        """The score phase's learning rate (subclasses may resolve "auto")."""
        return self.lr

    def _weight_decay(self, n_rows):
        """The L2 penalty for ``n_rows`` training rows (subclasses may
        resolve "auto")."""
        return self.weight_decay

    def _structure(self):
        return {name: getattr(self, name) for name in self._structure_parameters}

    def _check_continuable(self, targets, n_features, fitted_width, by="warm_start"):
        """A warm start (or a later ``partial_fit``) continues the fitted
        module: refuse what it cannot honour."""
        how, fix = CONTINUATIONS[by]
        self._check_same_targets(targets, by)
        if n_features != fitted_width:
            raise ValueError(
                f"{how} continues a module fitted on n_features_in_="
                f"{fitted_width} features; X has {n_features}. {fix}"
            )
        fitted = self._fitted_structure
        for name, value in self._structure().items():
            if not _same_setting(value, fitted[name]):
                raise ValueError(
                    f"{how} continues the fitted module, but {name} changed "
                    f"since it was built ({_shown(fitted[name])} -> "
                    f"{_shown(value)}). {fix}"
                )

    def _build_net(self, reward, X, n_classes, device, seed, sample_weight=None):
        """The initialized net for training rows ``X`` (of weights
        ``sample_weight``): its input map fitted on them, its module checked
        on a few of them."""
        n_rows, n_features = X.shape
        net = self._new_net(reward, n_rows, n_features, n_classes, device, seed)
        fit_inputs(net.module_, X, sample_weight)
        dtype = _module_dtype(net.module_)
        check_module_output(
            net.module_, probe_rows(X, device, dtype), n_classes, self._module_outputs
        )
        return net

    def _new_net(self, reward, n_rows, n_features, n_classes, device, seed, dtype=None):
        """The initialized net for ``n_rows`` training rows (the penalty
        ``weight_decay="auto"`` depends on their number), its module in
        ``dtype`` (by default :func:`~sklearn_zopg._precision.training_dtype`)."""
        with _seeded_global_rng(seed):
            module = build_module(
                self.module,
                self.module_params,
                n_features,
                n_classes,
                self.hidden_layer_sizes,
            )
        if dtype is None:
            dtype = training_dtype(module, device)
        module = module.to(device=device, dtype=dtype)
        callbacks = [("weight_decay", WeightDecay(self._weight_decay(n_rows)))]
        if self.early_stopping:
            callbacks += [
                ("valid_score", ValidationScore()),
                (
                    "early_stopping",
                    BestAcrossPhases(
                        monitor="valid_score",
                        lower_is_better=False,
                        patience=self.n_iter_no_change,
                        threshold=self.tol,
                        threshold_mode="abs",
                        load_best=True,
                        sink=print if self.verbose else _silent,
                    ),
                ),
            ]
        callbacks += [("lr_schedule", CosineDecay())]
        score_epochs, surrogate_epochs = self._phase_epochs(n_rows)
        if self.verbose >= 2:
            total = surrogate_epochs + score_epochs
            callbacks += [("fit_progress", FitProgress(total))]
        criterion, nonlinearity = self._output_layer(reward)
        net = self._net_class(
            module=module,
            reward=reward,
            seed=seed,
            criterion=criterion,
            criterion__reduction="none",
            optimizer=self.optimizer,
            lr=self._score_lr(reward),
            **{f"optimizer__{k}": v for k, v in self._optimizer_params().items()},
            max_epochs=score_epochs,
            batch_size=self.batch_size,
            device=str(device),
            callbacks=callbacks + [_own_copy(c) for c in self.callbacks or []],
            verbose=self.verbose,
            train_split=None,
            iterator_train=RowBatches,
            iterator_train__shuffle=True,
            iterator_valid=RowBatches,
            iterator_valid__batch_size=PREDICT_CHUNK,
            predict_nonlinearity=nonlinearity,
            schedule=self.surrogate_schedule,
            surrogate_every=self.surrogate_every,
            surrogate_lr=self.surrogate_lr,
            **{name: getattr(self, name) for name in self._method_parameters},
        )
        return net.initialize()

    def _training_rows(self, X):
        """Rows a fit on ``X`` trains on (less those early stopping holds out)."""
        n_rows = X.shape[0]
        if self.early_stopping:
            n_rows -= math.ceil(n_rows * self.validation_fraction)
        return max(1, n_rows)

    def _phase_epochs(self, n_rows):
        """Epochs of the score and surrogate phases of a fit on ``n_rows``
        training rows (``"auto"``: from a number of optimizer steps)."""
        return tuple(
            phase_epochs(setting, n_rows, self.batch_size, phase)
            for setting, phase in (
                (self.max_epochs, "score"),
                (self.surrogate_epochs, "surrogate"),
            )
        )

    def _run_phases(self, net, dataset, n_rows, skip_surrogate):
        """The surrogate phase (cross-entropy, ``surrogate_lr``), then the score
        phase (``scoring``, ``lr``) with a fresh optimizer: no momentum carried
        over from the surrogate's gradients. With ``lr_schedule="cosine"``
        (and no skorch ``LRScheduler`` of the user's) each phase's rate decays
        to zero over its ``n_rows`` training rows' steps. An early stopping
        (ours or a skorch ``EarlyStopping`` of the user's) that ends the
        surrogate phase ends that phase only; an interruption ends the fit."""
        score_epochs, surrogate_epochs = self._phase_epochs(n_rows)
        schedule = dict(net.callbacks_)["lr_schedule"]
        decays = self.lr_schedule == "cosine" and not user_schedules(net.callbacks_)
        batches = math.ceil(n_rows / self.batch_size)
        if surrogate_epochs and not skip_surrogate:
            lr = self.surrogate_lr or self._score_lr(net.reward)
            net.set_params(phase="surrogate", lr=lr)
            _fresh_optimizer(net)
            schedule.plan(surrogate_epochs * batches if decays else None)
            net.partial_fit(dataset, epochs=surrogate_epochs)
            if net.interrupted_ and not _stopped_early(net):
                return  # interrupted by the user: the whole fit ends here
        net.set_params(phase="score", lr=self._score_lr(net.reward))
        _fresh_optimizer(net)
        schedule.plan(score_epochs * batches if decays else None)
        net.partial_fit(dataset, epochs=score_epochs)

    def _decision_attributes(self, net, dataset, targets):
        """Fitted attributes of the decision rule, set after training on
        ``dataset`` (hook: the classifiers' ``decision_offsets_``)."""
        return {}

    def _chunk_decision_attributes(self, net, dataset, targets):
        """:meth:`_decision_attributes` after a ``partial_fit`` call on the
        chunk ``dataset`` (hook)."""
        return self._decision_attributes(net, dataset, targets)

    @staticmethod
    def _best_validation_score(net):
        """``valid_score`` of the epoch whose parameters early stopping kept."""
        stopper = dict(net.callbacks_).get("early_stopping")
        if stopper is None or not stopper.best_epoch_:
            return None
        return net.history[stopper.best_epoch_ - 1, "valid_score"]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------ persistence
    def __getstate__(self):
        """The estimator's state with the fitted net as plain Python and numpy
        (:mod:`sklearn_zopg._persistence`): pickle, joblib and ``skops.io``
        store no torch object, and a model fitted on a GPU loads without one."""
        state = dict(super().__getstate__())  # object's may be __dict__ itself
        net = state.pop("net_", None)
        if net is not None:
            state["_net_state"] = self._saved_net_state(net)
        module = state.get("module")
        if isinstance(module, torch.nn.Module):
            # an instance as plain values (skops stores no tensor); the fitted
            # structure refers to the same instance, as it does after loading
            state["module"] = {"_module_instance": module_to_plain(module)}
            structure = state.get("_fitted_structure")
            if structure is not None and structure.get("module") is module:
                state["_fitted_structure"] = {**structure, "module": _SAME_MODULE}
        return state

    def _saved_net_state(self, net):
        """What restores ``net`` with :meth:`_restored_net`: plain Python and
        numpy (arrays may share memory with ``net``'s CPU tensors)."""
        return {**net_state(net), "reward": self._reward_state(net.reward)}

    def __setstate__(self, state):
        state = dict(state)
        module = state.get("module")
        if isinstance(module, dict) and "_module_instance" in module:
            state["module"] = module_from_plain(module["_module_instance"])
            structure = state.get("_fitted_structure")
            if structure is not None and structure.get("module") == _SAME_MODULE:
                state["_fitted_structure"] = {**structure, "module": state["module"]}
        saved = state.pop("_net_state", None)
        super().__setstate__(state)
        if saved is not None:
            self.net_ = self._restored_net(saved)

    def _restored_net(self, saved, reward=None):
        """The fitted net rebuilt from the estimator's parameters and ``saved``
        (with ``reward``, or the reward rebuilt from ``scoring``)."""
        device = restored_device(self.device)
        arrays = [a for a in saved["module"].values() if a.dtype.kind == "f"]
        dtype = torch.float64
        if arrays:
            dtype = torch.from_numpy(arrays[0][:0].copy()).dtype
        if reward is None:
            reward = self._restored_reward(saved["reward"])
        net = self._new_net(
            reward,
            1,
            self.n_features_in_,
            self._n_module_outputs(),
            device,
            saved["seed"],
            dtype,
        )
        return restore_net(net, saved)

    # ------------------------------------------------------------ predicting
    def _own_score(self, X, y, sample_weight, params):
        """``scoring`` of this estimator on ``(X, y)``: ``score``'s value,
        with the scorer's metadata of ``params`` routed to it."""
        metadata = routed_scorer_params(self, "score", params)
        scorer = check_scoring(self, scoring=self.scoring)
        if sample_weight is not None:
            metadata["sample_weight"] = sample_weight
        return float(scorer(self, X, y, **metadata))

    def get_metadata_routing(self):
        """The metadata routing of this estimator: its own requests
        (``sample_weight``) and those of ``scoring``, which ``fit``,
        ``partial_fit`` and ``score`` route to the scorer.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`.
        """
        return metadata_router(self)

    def _validated_input(self, X):
        return validate_data(
            self,
            X,
            reset=False,
            accept_sparse=SPARSE_FORMAT,
            dtype=[np.float64, np.float32],
        )

    def _logits(self, X):
        check_is_fitted(self)
        return self.net_.logits(self._validated_input(X)).double().cpu()


class BaseScoreClassifier(ClassifierMixin, BaseScoreEstimator):
    """Base of the score-trained classifiers. Not for direct use.

    Subclasses set ``_auto_offsets``: whether ``decision_offsets="auto"``
    tunes the offsets (for count-based scorers).
    """

    _auto_offsets = False
    _parameter_constraints = {
        **BaseScoreEstimator._parameter_constraints,
        "decision_offsets": [StrOptions({"auto", "tuned"}), None],
    }

    # ------------------------------------------------------------ hooks
    def _check_reward(self, reward):
        """Refuse scorers the training method cannot use (hook)."""
        if reward.parts is not None and reward.parts.is_regression_metric:
            raise ValueError(
                f"scoring={reward._name()} is a regression metric "
                f"({reward.parts.score_func.__name__}); a classifier predicts "
                "labels. Use a classification scorer such as 'accuracy', 'f1' or "
                "'roc_auc'."
            )

    def _proba_temperature(self):
        """Temperature of ``predict_proba`` (the policy's, for PG)."""
        return 1.0

    def _targets(self, X, y, sample_weight, chunk=None, metadata=None):
        """Validated ``X``, the :class:`Targets` of ``y``, the weights.

        ``chunk``: None for ``fit`` (the classes are those of ``y``), else
        the :class:`Chunk` of a ``partial_fit`` call (the classes are given
        or fitted; ``y`` may hold a few of them, or constant labels).
        ``metadata``: the scorer's routed metadata (unused here)."""
        reset = chunk is None or chunk.first
        X, y, sample_weight = self._validate_training_data(
            X, y, sample_weight, reset=reset
        )
        if y.ndim == 2:
            y_index = _multilabel_targets(y, chunk=chunk is not None)
            classes = np.arange(y.shape[1])
        elif chunk is None:
            classes, y_index = np.unique(y, return_inverse=True)
            if len(classes) < 2:
                raise ValueError(
                    f"The training labels contain only one class ({classes[0]!r}); "
                    "a classifier needs samples of at least 2 classes."
                )
        else:
            classes = chunk.classes(self, y)
            y_index = np.searchsorted(classes, y)
        multilabel = y_index.ndim == 2
        reward = self._reward(classes, multilabel)
        attributes = {"classes_": classes, "_multilabel": multilabel}
        return X, Targets(y_index, len(classes), reward, attributes), sample_weight

    def _reward(self, classes, multilabel):
        if multilabel:
            return MultilabelReward(self.scoring, len(classes))
        return make_reward(self.scoring, classes=classes)

    def _reward_state(self, reward):
        """Nothing: the reward is rebuilt from ``scoring`` and ``classes_``."""
        return None

    def _restored_reward(self, state):
        return self._reward(self.classes_, self._multilabel)

    def _n_module_outputs(self):
        return len(self.classes_)

    def _check_same_targets(self, targets, by="warm_start"):
        how, fix = CONTINUATIONS[by]
        multilabel = targets.attributes["_multilabel"]
        if multilabel != self._multilabel:
            kinds = {True: "a multilabel indicator", False: "single-label classes"}
            raise ValueError(
                f"{how} can only continue a model fitted on the same kind of "
                f"target: it was fitted on {kinds[self._multilabel]} (softmax "
                f"over classes or a sigmoid per label), y is {kinds[multilabel]}. "
                f"{fix}"
            )
        classes = targets.attributes["classes_"]
        if not np.array_equal(classes, self.classes_):
            what = "labels" if multilabel else "classes"
            raise ValueError(
                f"{how} can only continue a model fitted on the same {what}: it "
                f"was fitted on {preview(self.classes_)}, y has "
                f"{preview(classes)}. {fix}"
            )

    def _validate_training_data(self, X, y, sample_weight, reset=True):
        X, y = validate_data(
            self,
            X,
            dense_targets(y),
            multi_output=True,
            accept_sparse=SPARSE_FORMAT,
            dtype=[np.float64, np.float32],
            reset=reset,
        )
        if reset:
            warn_if_unscaled(X, type(self).__name__)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it "
                "is raveled.",
                DataConversionWarning,
                stacklevel=3,
            )
            y = y.ravel()
        check_classification_targets(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        return X, y, sample_weight

    def _tunes_offsets(self, reward):
        """Whether this fit tunes ``decision_offsets_``."""
        if self.decision_offsets == "auto":
            return self._auto_offsets and reward.count_based
        return self.decision_offsets == "tuned"

    def _decision_attributes(self, net, dataset, targets):
        """``decision_offsets_``: zeros, or tuned on the exact ``scoring`` of
        the validation split (``early_stopping``) or of the training rows."""
        offsets = np.zeros(targets.n_outputs)
        tuned_rows = 0
        if self._tunes_offsets(net.reward):
            rows = net.train_split(dataset)[1] if self.early_stopping else dataset
            offsets = self._tuned_offsets(net, rows)
            tuned_rows = len(rows)
        self._set_net_offsets(net, offsets)
        return {"decision_offsets_": offsets, "_offset_rows": tuned_rows}

    def _chunk_decision_attributes(self, net, dataset, targets):
        """``decision_offsets_`` after a ``partial_fit`` call: tuned on the
        chunk, for the outputs the chunk can tell apart (every class present;
        multilabel: both values of the label), and averaged with the offsets
        of the earlier calls, weighted by the rows each was tuned on. A chunk
        lacking a class leaves the offsets as they were, and a small chunk
        moves them little."""
        if not self._tunes_offsets(net.reward):  # zeros, as in fit
            return self._decision_attributes(net, dataset, targets)
        previous = getattr(self, "decision_offsets_", np.zeros(targets.n_outputs))
        earlier = getattr(self, "_offset_rows", 0)
        y = torch.as_tensor(dataset.y).cpu().numpy()
        if y.ndim == 2:
            supported = (y.min(0) == 0) & (y.max(0) == 1)
        else:
            present = np.bincount(y, minlength=targets.n_outputs) > 0
            supported = np.full(targets.n_outputs, present.all())
        offsets = previous.copy()
        if supported.any():
            tuned = self._tuned_offsets(net, dataset)
            n = len(dataset)
            offsets[supported] = (earlier * previous + n * tuned)[supported] / (
                earlier + n
            )
            earlier += n
        self._set_net_offsets(net, offsets)
        return {"decision_offsets_": offsets, "_offset_rows": earlier}

    @staticmethod
    def _tuned_offsets(net, rows):
        """The offsets maximizing the exact ``scoring`` on the dataset ``rows``."""
        parts = rows.X if isinstance(rows.X, dict) else {"X": rows.X}
        with net.reward.rows(parts["X"], parts.get("index")):
            tuned, _ = tune_offsets(
                net.reward,
                torch.as_tensor(rows.y),
                net.logits(parts["X"], offsets=False),
                parts.get("sample_weight"),
                multilabel=net.reward.multilabel,
            )
        return tuned.cpu().numpy()

    @staticmethod
    def _set_net_offsets(net, offsets):
        """Hand the fitted offsets to the net, whose inference adds them, so
        that ``net_`` predicts as the estimator does (None for zeros: the
        module's own logits, untouched)."""
        offsets = np.asarray(offsets)
        net.decision_offsets_ = (
            torch.as_tensor(offsets, dtype=torch.float64) if offsets.any() else None
        )

    def _restored_net(self, saved, reward=None):
        net = super()._restored_net(saved, reward)
        self._set_net_offsets(net, self.decision_offsets_)
        return net

    def _output_layer(self, reward):
        """The surrogate loss and the probabilities of the outputs: softmax
        over classes, or a sigmoid per label."""
        temperature = self._proba_temperature()
        if reward.multilabel:
            return MultilabelBCE, TemperedSigmoid(temperature)
        return torch.nn.CrossEntropyLoss, TemperedSoftmax(temperature)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None, **params):
        """Train one pass over ``(X, y)``, continuing the fitted model.

        As ``MLPClassifier.partial_fit``: data too large for memory trains
        chunk by chunk, and dask-ml's ``Incremental`` wrapper calls it on
        each block of a dask array. The first call (on an unfitted
        estimator) builds the module; the first ``surrogate_epochs`` calls
        of a module built this way train on the cross-entropy surrogate
        (at ``surrogate_lr``), later calls on ``scoring`` (at ``lr``). A
        ``partial_fit`` after ``fit`` continues on the score. The optimizer
        and its state carry over between calls; ``n_iter_`` and
        ``net_.history`` count one epoch per call. Settings that depend on
        the data (``weight_decay="auto"``) are fixed at the first call from
        its rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data, with the features of the first call.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Its labels, or its multilabel 0/1 indicator matrix (whose
            columns are the labels: ``classes`` is then not needed). A chunk
            may lack some classes, or hold constant label columns.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole training set, for example
            ``np.unique(y_all)``. Required at the first call for
            single-label ``y``; later calls may omit it, and must not change
            it.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, as in ``fit``.
        **params : dict
            Metadata for ``scoring``, routed to it as in ``fit``.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.

        Raises
        ------
        ValueError
            For ``early_stopping=True`` (a call holds no rows out), a first
            call without ``classes``, labels outside ``classes``, and a
            later call whose features, classes or kind of target differ from
            the first one's.
        """
        return self._restoring_on_error(
            self._partial_fit, X, y, sample_weight, params, classes
        )

    # ------------------------------------------------------------ predicting
    def _logits(self, X):
        """The module's logits plus ``decision_offsets_``, read at each call:
        the attribute is the decision rule (an edited value is used, as after
        a pickle round trip)."""
        check_is_fitted(self)
        X = self._validated_input(X)
        logits = self.net_.logits(X, offsets=False).double().cpu()
        return logits + torch.as_tensor(self.decision_offsets_, dtype=torch.float64)

    def decision_function(self, X):
        """Logits of the trained module.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the logit difference ``f_1 - f_0`` (positive
            means ``classes_[1]``); otherwise one logit per class (per label
            for multilabel ``y``: positive means the label is predicted).
        """
        logits = self._logits(X).numpy()
        if logits.shape[1] == 2 and not self._multilabel:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict_proba(self, X):
        """Class probabilities ``softmax(f(x) / temperature)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``. For multilabel ``y``, each label's
            own probability ``sigmoid(f(x) / temperature)`` (rows need not
            sum to 1).
        """
        logits = self._logits(X)
        return self.net_.predict_nonlinearity(logits).numpy()

    def predict(self, X):
        """Most probable class (deterministic argmax, never a sample).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The 0/1 indicator matrix ``f(x) > 0`` for multilabel ``y``.
        """
        logits = self._logits(X)
        if self._multilabel:
            return (logits > 0).numpy().astype(np.int64)
        return self.classes_[logits.argmax(dim=1).numpy()]

    def score(self, X, y, sample_weight=None, **params):
        """The ``scoring`` of this estimator on ``(X, y)``: what fit maximizes.

        Unlike ``ClassifierMixin.score`` (accuracy), this uses the estimator's
        own ``scoring``, so ``GridSearchCV`` without ``scoring=`` selects on
        the score the model was trained for.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        **params : dict
            Metadata for ``scoring``, routed to it as in ``fit``.

        Returns
        -------
        score : float

        Raises
        ------
        ValueError
            If ``y`` holds labels the estimator never saw in ``fit``: it can
            never predict them, and the score would silently count them wrong.
        """
        check_is_fitted(self)
        unseen = np.array([])
        if not self._multilabel:
            unseen = np.setdiff1d(np.unique(np.asarray(y)), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not seen during fit: {preview(unseen)}; the "
                f"estimator only knows {preview(self.classes_)}."
            )
        return self._own_score(X, y, sample_weight, params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = True
        return tags
