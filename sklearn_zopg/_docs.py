"""Parameter descriptions shared by the public estimators' docstrings."""

SHARED_PARAMETERS = """\
scoring : str or callable, default="accuracy"
        What training maximizes: a scorer name
        (``sklearn.metrics.get_scorer_names()``), a ``make_scorer`` object, or
        a callable ``scorer(estimator, X, y) -> float``. Greater is better.
        Scorers of the confusion-matrix family are computed from counts (fast
        and exact); any other scorer is called once per label vector.

    module : torch.nn.Module class or instance, default=None
        ``None`` builds an MLP from ``n_features_in_``, the number of classes
        and ``hidden_layer_sizes``. A class is instantiated with
        ``module_params``; an instance is copied (the given one is never
        trained in place). Its forward must return logits ``(n, n_classes)``.

    module_params : dict, default=None
        Keyword arguments for a ``module`` class.

    hidden_layer_sizes : tuple of int, default=(64,)
        Hidden widths of the default MLP.

    optimizer : torch.optim.Optimizer class, default=torch.optim.Adam
        The optimizer that consumes the gradient estimate.

    lr : float, default=0.01 (PG), 0.003 (ZO)
        Learning rate (of the score phase, when ``surrogate_epochs``).

    max_epochs : int, default=100
        Passes over the training data.

    batch_size : int, default=256
        Rows per training step.

    device : str, default="cpu"
        ``"cpu"`` or ``"cuda"`` (training in float64 on the CPU, float32 on
        CUDA). A ``ValueError`` is raised if CUDA is asked for but absent.

    random_state : int, RandomState instance or None, default=None
        Seeds initialization, shuffling and sampling. The same value gives
        identical predictions on the CPU; torch's global generator is left
        untouched.

    verbose : int, default=0
        ``1`` prints skorch's per-epoch table: loss, training score, the
        spread (std) of the K sampled scores per step (how noisy the estimate
        is), time. For a progress bar pass
        ``callbacks=[skorch.callbacks.ProgressBar()]``.

    callbacks : list of skorch callbacks, default=None
        Passed to the skorch net.

    warm_start : bool, default=False
        Continue training the fitted ``net_`` on the next ``fit`` (same
        classes) instead of starting afresh.

    surrogate_epochs : int, default=0 (PG), 20 (ZO)
        The post's hybrid: epochs of ordinary cross-entropy training (the
        differentiable surrogate) before training on ``scoring``. The score
        phase then refines the warm-started model with a fresh optimizer.
        Skipped when ``warm_start`` continues a fitted model.

    surrogate_lr : float, default=None (PG), 0.01 (ZO)
        Learning rate of the surrogate epochs; None uses ``lr``. The post's
        hybrid pairs the surrogate with a larger rate and the true score with
        a smaller one.

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

    weight_decay : float, default=0.003 (PG), 0.01 (ZO)
        L2 penalty: ``weight_decay * theta`` is added to the gradient (or
        gradient estimate) of every trained parameter in both phases, whatever
        the ``optimizer`` (as ``torch.optim.Adam(weight_decay=...)``), i.e.
        ``0.5 * weight_decay * ||theta||^2`` is minimized along with the
        loss. Unlike ``MLPClassifier``'s ``alpha`` it is not divided by the
        batch size, and it covers biases too. The defaults come from
        ``benchmarks/quality.py`` (5 seeds): against no penalty they raised
        every task's mean test score (see the estimators' notes); on five
        fresh seeds too, except PG's F2, level (0.962 vs 0.961)."""

SHARED_ATTRIBUTES = """\
classes_ : ndarray of shape (n_classes,)
        Class labels.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module and
        ``net_.history`` holds per-epoch ``train_loss``, ``train_score``,
        ``train_score_std`` and ``dur``.

    n_iter_ : int
        Number of epochs run (over all warm-started fits).

    best_validation_score_ : float or None
        The best ``valid_score`` of the last fit with ``early_stopping``
        (the fitted parameters are those of that epoch); None without it."""
