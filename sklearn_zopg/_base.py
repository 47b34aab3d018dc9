"""Shared sklearn estimator: parameters, validation, labels, the skorch net, predict."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._batches import IndexBatches
from ._modules import build_module, check_output_width
from ._net import ScoreNet, check_finite
from ._penalty import with_weight_decay
from ._rewards import make_reward
from ._surrogate import cross_entropy_step
from ._validation import EarlyStopping, validation_split

_PREDICT_CHUNK = 8192


def _resolve_device(device):
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={str(device)!r} was requested but CUDA is not available on "
            "this machine; use device='cpu'."
        )
    return device


class TrainingData:
    """The training rows, on the training device; ``batch`` indexes them.

    ``sample_weight`` is None when fit got none, so that scorers that take no
    weights are never handed any.
    """

    def __init__(self, X, y, sample_weight):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight

    def batch(self, rows):
        w = None if self.sample_weight is None else self.sample_weight[rows]
        return self.X[rows], self.y[rows], w

    def subset(self, rows):
        """The given rows (positions) as a new ``TrainingData``."""
        rows = torch.as_tensor(rows, device=self.X.device)
        return TrainingData(*self.batch(rows))


def _validation_scorer(reward, valid):
    """``score(module) -> float``: ``scoring`` of the module on ``valid``."""

    def score(module):
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                logits = torch.cat([module(x) for x in valid.X.split(_PREDICT_CHUNK)])
                check_finite(logits)
        finally:
            module.train(was_training)
        return float(reward.score_logits(valid.y, logits[None], valid.sample_weight)[0])

    return score


class BaseScoreClassifier(ClassifierMixin, BaseEstimator):
    """Base of the score-trained classifiers. Not for direct use.

    Subclasses implement ``_make_train_step(reward, data, generator)`` returning a
    callable ``(module, row_indices) -> {"loss", "score"}`` that leaves the
    score's ascent direction, negated, in the parameters' ``.grad``.
    """

    _parameter_constraints = {
        "scoring": [str, callable],
        "module": [None, torch.nn.Module, type],
        "module_params": [None, dict],
        "hidden_layer_sizes": [tuple, list],
        "optimizer": [type],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [None, list],
        "warm_start": ["boolean"],
        "surrogate_epochs": [Interval(Integral, 0, None, closed="left")],
        "surrogate_lr": [None, Interval(Real, 0, None, closed="neither")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        scoring="accuracy",
        module=None,
        module_params=None,
        hidden_layer_sizes=(64,),
        optimizer=torch.optim.Adam,
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
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        weight_decay=0.01,
    ):
        self.scoring = scoring
        self.module = module
        self.module_params = module_params
        self.hidden_layer_sizes = hidden_layer_sizes
        self.optimizer = optimizer
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
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.weight_decay = weight_decay

    # ------------------------------------------------------------ hooks
    def _make_train_step(self, reward, data, generator):
        """The score phase's train step; ``generator`` is a torch generator on
        the training device for the step's own draws (label samples or
        perturbation directions), seeded from ``random_state`` alone so that
        they do not depend on how many rows the batching shuffled."""
        raise NotImplementedError

    def _check_reward(self, reward):
        """Refuse scorers the training method cannot use (hook)."""

    def _temperature(self):
        return 1.0

    # ------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the module to maximize ``scoring`` on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (dense; NaN and infinity are refused).
        y : array-like of shape (n_samples,)
            Class labels of any type sklearn accepts.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, passed to the scorer (a weighted score).

        Returns
        -------
        self : object
            The fitted estimator.

        Notes
        -----
        If ``fit`` raises (bad input, a failing scorer, divergence), the
        estimator's attributes are left as they were before the call; a
        ``KeyboardInterrupt`` during training ends training early and keeps
        the parameters reached so far (skorch's behaviour).
        """
        previous = dict(self.__dict__)
        try:
            return self._fit(X, y, sample_weight)
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(previous)
            raise

    def _fit(self, X, y, sample_weight):
        device = _resolve_device(self.device)
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"The training labels contain only one class ({classes[0]!r}); a "
                "classifier needs samples of at least 2 classes."
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        reward = make_reward(self.scoring, classes=classes)
        self._check_reward(reward)

        dtype = torch.float64 if device.type == "cpu" else torch.float32
        X_t = torch.as_tensor(np.array(X, dtype=np.float64), device=device).to(dtype)
        y_t = torch.as_tensor(y_index, device=device).long()
        w_t = None
        if sample_weight is not None:
            w_t = torch.as_tensor(sample_weight, device=device)

        reuse = (
            self.warm_start
            and hasattr(self, "net_")
            and np.array_equal(self.classes_, classes)
        )
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(2**31 - 1))
        data = TrainingData(X_t, y_t, w_t)
        validation = None
        if self.early_stopping:
            train, valid = validation_split(
                y_index, self.validation_fraction, int(rng.randint(2**31 - 1))
            )
            validation = EarlyStopping(
                _validation_scorer(reward, data.subset(valid)),
                self.n_iter_no_change,
                self.tol,
            )
            data, y_index = data.subset(train), y_index[train]
        devices = [device.index or 0] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            net = (
                self.net_
                if reuse
                else self._initialized_net(X_t, len(classes), device, dtype)
            )
            rows = np.arange(len(y_index))
            net.validation = validation
            try:
                if self.surrogate_epochs and not reuse:
                    self._surrogate_phase(net, reward, data, rows, y_index)
                generator = torch.Generator(device=device).manual_seed(seed + 1)
                net.train_step_fn = with_weight_decay(
                    self._make_train_step(reward, data, generator), self.weight_decay
                )
                net.partial_fit(rows, y_index)
            finally:
                net.train_step_fn = None
                net.validation = None
        self.classes_ = classes
        self.net_ = net
        self.n_iter_ = len(net.history)
        self.best_validation_score_ = (
            None if validation is None else validation.best_score
        )
        return self

    def _surrogate_phase(self, net, reward, data, rows, y_index):
        """The post's hybrid: cross-entropy epochs at ``surrogate_lr`` first.

        The score phase then starts from these weights with a fresh optimizer
        (no momentum carried over from the surrogate's gradients).
        """
        net.train_step_fn = with_weight_decay(
            cross_entropy_step(reward, data), self.weight_decay
        )
        for group in net.optimizer_.param_groups:
            group["lr"] = self.surrogate_lr if self.surrogate_lr else self.lr
        net.partial_fit(rows, y_index, epochs=self.surrogate_epochs)
        net.initialize_optimizer()

    def _initialized_net(self, X_t, n_classes, device, dtype):
        module = build_module(
            self.module,
            self.module_params,
            X_t.shape[1],
            n_classes,
            self.hidden_layer_sizes,
        ).to(device=device, dtype=dtype)
        check_output_width(module, X_t[:2], n_classes)
        net = ScoreNet(
            module=module,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=self.optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            device=str(device),
            callbacks=self.callbacks,
            verbose=self.verbose,
            train_split=None,
            iterator_train=IndexBatches,
            iterator_train__shuffle=True,
        )
        return net.initialize()

    # ------------------------------------------------------------ predicting
    def _logits(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        module = self.net_.module_
        param = next(module.parameters(), None)
        device = param.device if param is not None else torch.device(self.net_.device)
        dtype = param.dtype if param is not None else torch.float64
        X_t = torch.as_tensor(np.array(X, dtype=np.float64)).to(
            device=device, dtype=dtype
        )
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                chunks = [module(part) for part in X_t.split(_PREDICT_CHUNK)]
        finally:
            module.train(was_training)
        return torch.cat(chunks).double().cpu().numpy()

    def decision_function(self, X):
        """Logits of the trained module.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the logit difference ``f_1 - f_0`` (positive
            means ``classes_[1]``); otherwise one logit per class.
        """
        logits = self._logits(X)
        if logits.shape[1] == 2:
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
            Columns follow ``classes_``.
        """
        logits = self._logits(X) / self._temperature()
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable class (deterministic argmax, never a sample).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        logits = self._logits(X)
        return self.classes_[logits.argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        """The ``scoring`` of this estimator on ``(X, y)``: what fit maximizes.

        Unlike ``ClassifierMixin.score`` (accuracy), this uses the estimator's
        own ``scoring``, so ``GridSearchCV`` without ``scoring=`` selects on
        the score the model was trained for.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

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
        unseen = np.setdiff1d(np.unique(np.asarray(y)), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not seen during fit: {unseen.tolist()}; the "
                f"estimator only knows {self.classes_.tolist()}."
            )
        scorer = check_scoring(self, scoring=self.scoring)
        if sample_weight is None:
            return float(scorer(self, X, y))
        return float(scorer(self, X, y, sample_weight=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.input_tags.allow_nan = False
        return tags
