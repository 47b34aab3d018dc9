"""Parameter descriptions shared by the public estimators' docstrings.

:func:`shared_parameters` fills in each class's own defaults, so that each
class's help shows its own values.
"""

import re
import textwrap

__all__ = [
    "CLASSIFIER_ATTRIBUTES",
    "SHARED_ATTRIBUTES",
    "decision_offsets_parameter",
    "regressor_parameters",
    "shared_parameters",
]

# How a callable scorer reads the model it scores (both scoring texts).
_SCORER_MODEL = """\
        During training a callable gets an estimator whose predictions are
        those it scores and whose ``net_`` is the net being trained; for ZO
        the module's parameters are, during each call, those of the
        perturbed model it scores, so the score may count the parameters
        themselves (``estimator.net_.module_``: the features a hard gate
        keeps, say). For PG every call reads the current model.
"""

# The regressors score the constant mean prediction before any model exists.
_SCORER_MODEL_REGRESSION = _SCORER_MODEL.replace(
    "keeps, say). For PG every call reads the current model.",
    "keeps, say). For PG every call reads the current model. The one\n"
    "        call before training (the constant mean prediction, which sets\n"
    "        the score's unit) has no ``net_``: read it with ``getattr``.",
)

_SHARED_PARAMETERS = (
    """\
scoring : str or callable, default="accuracy"
        What training maximizes: a scorer name
        (``sklearn.metrics.get_scorer_names()``), a ``make_scorer`` object, or
        a callable ``scorer(estimator, X, y) -> float``. Greater is better.
        Every scikit-learn classification scorer but
        ``adjusted_mutual_info_score`` has an exact vectorized twin (label
        and clustering scorers from class counts; log loss, Brier, D², ROC
        AUC, average precision and top-k accuracy from the logits of all
        perturbed models at once); a custom scorer is called once per label
        vector (or per perturbed model). Regression metrics are refused, and
        a plain metric ``f(y_true, y_pred)`` must be wrapped with
        ``make_scorer``.
"""
    + _SCORER_MODEL
    + """
    module : torch.nn.Module class or instance, default=None
        ``None`` builds an MLP from ``n_features_in_``, the number of classes
        and ``hidden_layer_sizes``. A class is instantiated with
        ``module_params``, plus ``n_features`` (the input width) and
        ``n_classes`` when its ``__init__`` takes arguments of those names;
        an instance is copied (the given one is never trained in place). Its
        forward must return logits ``(n, n_classes)``.

    module_params : dict, default=None
        Keyword arguments for a ``module`` class (an error with any other
        ``module``).

    hidden_layer_sizes : tuple of int, default=(64,)
        Hidden widths (positive integers) of the default MLP.

    optimizer : torch.optim.Optimizer class, default=torch.optim.Adam
        The optimizer that consumes the gradient estimate.

    optimizer_params : dict, default=None
        Keyword arguments of ``optimizer`` (as ``module_params`` are of a
        module class): ``{{"momentum": 0.9}}`` for ``SGD``, ``{{"betas": (0.9,
        0.99)}}`` for ``Adam``, AdamW's own ``weight_decay``. Both phases'
        optimizers get them; ``lr`` is set by ``lr`` and ``surrogate_lr``. A
        key the optimizer does not take is a ``ValueError`` naming it.
        ``Adam`` and ``AdamW`` run torch's fused implementation unless
        ``fused`` or ``foreach`` is given here (the same update, several
        times faster on the CPU for large layers: ``benchmarks/speed.py``).

    lr : {lr_type}, default={lr}
        Learning rate of the score phase (training on ``scoring``).{lr_note}

    max_epochs : int or "auto", default=100
        Epochs of training on ``scoring`` (the score phase). ``"auto"``
        counts the budget in optimizer steps instead: one step per training
        row up to 2,000 steps, in as many epochs as that takes, between 5
        and 250 (at ``batch_size=256``: 241 epochs for 721 rows, 8 for
        64,000). The surrogate phase runs ``surrogate_epochs`` more before
        them, so a fresh fit runs both (``n_iter_`` counts both).

    batch_size : int, default=256
        Rows per training step.

    device : str or torch.device, default="cpu"
        ``"cpu"`` or ``"cuda"`` / ``"cuda:N"`` (training in float32 on CUDA
        and for modules of more than 10,000 parameters on the CPU, in
        float64 for smaller ones: see the user guide, "Precision"). A
        ``ValueError`` is raised for other devices and if CUDA is asked for
        but absent.

    random_state : int, RandomState instance or None, default=None
        Seeds initialization, shuffling and sampling. The same value gives
        identical predictions on the CPU, also for fits run in parallel
        threads; torch's global generator is left untouched.

    verbose : int, default=0
        ``1`` prints skorch's per-epoch table: the ``phase`` (``surrogate``
        or ``score``), ``train_loss`` (the batch-mean cross-entropy in the
        surrogate phase; {loss_meaning} in the score phase), ``train_score``
        (``scoring`` on the training batches), ``train_score_std`` (the
        spread of the K sampled scores per step: how noisy the estimate is)
        and the epoch's duration (colours only on a terminal). ``2`` also
        prints the progress over the whole fit, both phases, with the time
        left at the pace so far. For a progress bar within each epoch pass
        ``callbacks=[skorch.callbacks.ProgressBar()]``.

    callbacks : list of skorch callbacks, default=None
        Added to the skorch net's callbacks.

    warm_start : bool, default=False
        As ``MLPClassifier``: the next ``fit`` continues training the fitted
        module (score phase only) with the current parameters (``lr``,
        ``max_epochs``, ``batch_size``, ...) and a fresh optimizer. Changing
        the module's shape (``module``, ``module_params``,
        ``hidden_layer_sizes``), the classes or the number of features is an
        error.

    surrogate_epochs : int or "auto", default={surrogate_epochs}
        The hybrid of [1]_: epochs of ordinary cross-entropy training (the
        differentiable surrogate) before training on ``scoring``. The score
        phase then refines the warm-started model with a fresh optimizer.
        Skipped when ``warm_start`` continues a fitted model. ``"auto"``:
        one optimizer step per 4 training rows up to 400 steps, between 1
        and 40 epochs (for ``partial_fit``, that many calls on chunks of the
        current size).

    surrogate_lr : float, default={surrogate_lr}
        Learning rate of the surrogate epochs and steps; None uses ``lr``.
        The hybrid pairs the surrogate with a larger rate and the true score
        with a smaller one.

    surrogate_schedule : {{"before", "alternate"}}, default="before"
        When the surrogate trains. ``"before"``: only in the
        ``surrogate_epochs`` before the score phase. ``"alternate"``: also
        during the score phase, where a surrogate step on every trainable
        parameter (its own optimizer, at ``surrogate_lr``) follows every
        ``surrogate_every`` score steps: the parameters a score step leaves
        alone (ZO's unperturbed ones) keep training by gradient. Each
        step's kind is recorded as ``"step"`` in the batches of
        ``net_.history``.

    surrogate_every : int, default=1
        Score steps per surrogate step with ``surrogate_schedule="alternate"``.

    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training rows,
        score the model on them with ``scoring`` after every epoch (recorded
        as ``valid_score`` in ``net_.history``), end each phase (surrogate,
        then score) after ``n_iter_no_change`` epochs without an improvement
        of at least ``tol``, and keep the parameters of the best validation
        score: the score phase starts from the best surrogate epoch, and the
        fitted model is the best one seen. Guards against over-fitting on
        small or noisy data (as ``MLPClassifier(early_stopping=True)``).

    validation_fraction : float, default=0.1
        Share of the training rows held out when ``early_stopping``.

    n_iter_no_change : int, default=10
        Epochs without improvement that end a phase when ``early_stopping``.

    tol : float, default=1e-4
        Smallest validation-score gain that counts as an improvement.

    weight_decay : {weight_decay_type}, default={weight_decay}
        L2 penalty: ``weight_decay * theta`` is added to the gradient (or
        gradient estimate) of every trained parameter in both phases, whatever
        the ``optimizer`` (as ``torch.optim.Adam(weight_decay=...)``), i.e.
        ``0.5 * weight_decay * ||theta||^2`` is minimized along with the
        loss. Unlike ``MLPClassifier``'s ``alpha`` it is not divided by the
        batch size, and it covers biases too. Raise it when the model
        over-fits (small or noisy data), lower it for large data.{weight_decay_note}

    lr_schedule : {{"cosine", "constant"}}, default="constant"
        The learning rate over each phase of a ``fit``: ``"cosine"`` decays
        it from ``lr`` (``surrogate_lr``) to zero over the phase's steps,
        ``(1 + cos(pi t / T)) / 2``; ``"constant"`` keeps it. A skorch
        ``LRScheduler`` in ``callbacks`` sets the rate instead, and
        ``partial_fit`` calls, whose number is not known, train at the full
        rate."""
)


def shared_parameters(**defaults):
    """The shared parameter section with one class's defaults filled in:
    ``lr``, ``surrogate_epochs``, ``surrogate_lr``, ``weight_decay`` and
    ``loss_meaning`` (what ``train_loss`` is in the score phase); optionally
    ``lr_type``, ``lr_note``, ``weight_decay_type`` and ``weight_decay_note``
    (sentences appended to the parameter's text)."""
    defaults = {
        "lr_type": "float",
        "lr_note": "",
        "weight_decay_type": "float",
        "weight_decay_note": "",
        **defaults,
    }
    return _SHARED_PARAMETERS.format(**defaults)


SHARED_ATTRIBUTES = """\
classes_ : ndarray of shape (n_classes,)
        Class labels.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    net_ : skorch.NeuralNet
        The trained skorch net, complete on its own: ``net_.module_`` is the
        torch module, ``net_.history`` holds per-epoch ``phase``,
        ``train_loss``, ``train_score``, ``train_score_std`` and ``dur``;
        ``net_.partial_fit(X, y_index)`` trains on (class indices
        ``y_index``), ``net_.predict_proba``, ``save_params`` and
        ``load_params`` work as for any skorch net.

    n_iter_ : int
        Number of epochs run, both phases, over all warm-started fits
        (``len(net_.history)``).

    best_validation_score_ : float or None
        The best ``valid_score`` of the last fit with ``early_stopping``
        (the fitted parameters are those of that epoch); None without it."""


_REGRESSION_SCORING = (
    """scoring : str or callable, default="neg_mean_absolute_error"
        What training maximizes: a regression scorer name
        (``sklearn.metrics.get_scorer_names()``), a ``make_scorer`` object
        (``mean_pinball_loss`` with ``alpha=``, a cost of your own), or a
        callable ``scorer(estimator, X, y) -> float``. Greater is better.
        Every scikit-learn regression scorer has an exact vectorized twin
        that scores all sampled or perturbed predictions at once; a custom
        scorer is called once per prediction array. Classification scorers
        are refused.
"""
    + _SCORER_MODEL_REGRESSION
    + """
"""
)


def regressor_parameters(**kwargs):
    """:func:`shared_parameters` for the regressors: the regression
    ``scoring``, squared error as the surrogate, outputs instead of classes."""
    text = (
        shared_parameters(**kwargs)
        .replace("cross-entropy", "squared-error")
        .replace("the number of classes", "the number of target columns")
        .replace("``n_classes`` when", "``n_classes`` (the outputs) when")
        .replace("logits ``(n, n_classes)``", "predictions ``(n, n_outputs)``")
    )
    return re.sub(
        r"scoring : .*?\n\n",
        lambda match: _REGRESSION_SCORING,
        text,
        count=1,
        flags=re.S,
    )


_DECISION_OFFSETS = (
    "A final step after training: one offset per output is added to the "
    "logits (``decision_function``, ``predict_proba`` and ``predict`` all see "
    "``logits + decision_offsets_``), chosen to maximize the exact ``scoring`` "
    "over the validation split with ``early_stopping``, else over the "
    "training rows (for two classes: the decision threshold, tuned without "
    "refits). Training scores batches, and for a score such as F1 at a few "
    "percent positives the batch score is a noisy, biased stand-in for the "
    'data set\'s. ``"tuned"`` always tunes (any scorer; one that is not '
    "count-based is called once per candidate offset), None never does. "
    '``"auto"`` {auto}. A ``partial_fit`` call tunes on its own rows.'
)


def decision_offsets_parameter(auto):
    """The ``decision_offsets`` entry, ``auto`` saying what ``"auto"`` does."""
    body = textwrap.fill(
        _DECISION_OFFSETS.format(auto=auto),
        width=79,
        initial_indent=" " * 8,
        subsequent_indent=" " * 8,
    )
    return 'decision_offsets : {"auto", "tuned"} or None, default="auto"\n' + body


CLASSIFIER_ATTRIBUTES = (
    SHARED_ATTRIBUTES
    + """

    decision_offsets_ : ndarray of shape (n_classes,)
        The offsets added to the module's logits before every prediction
        (see ``decision_offsets``): zeros when none were tuned; for
        single-label ``y`` the first is 0, for two classes
        ``decision_function`` adds ``decision_offsets_[1]``."""
)
