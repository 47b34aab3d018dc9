"""ScoreHistoryDisplay: the training curve of a fit, in scikit-learn's style."""

import numpy as np
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_is_fitted

__all__ = ["ScoreHistoryDisplay"]


def _short_name(scoring):
    """A title's name of ``scoring``: a string as it is, a ``make_scorer``
    scorer by its metric and arguments (minus for a loss), a callable by
    its name."""
    if isinstance(scoring, str):
        return scoring
    func = getattr(scoring, "_score_func", None)
    if func is None:
        return getattr(scoring, "__name__", type(scoring).__name__)
    kwargs = getattr(scoring, "_kwargs", {})
    name = f"{func.__name__}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
    return name if getattr(scoring, "_sign", 1) > 0 else f"−{name}"


def _column(history, key):
    """One history key per epoch as floats (NaN where an epoch lacks it)."""
    return np.array([row.get(key, np.nan) for row in history], dtype=float)


class ScoreHistoryDisplay:
    """Training curve of a fitted estimator: score per epoch, both phases.

    Use :meth:`from_estimator` to build it from a fitted estimator, as
    ``sklearn.metrics.RocCurveDisplay.from_estimator``. Needs matplotlib
    (``pip install matplotlib``).

    Parameters
    ----------
    epochs : ndarray of shape (n_epochs,)
        Epoch numbers, from 1.
    train_score : ndarray of shape (n_epochs,)
        ``scoring`` on the training batches, averaged over the epoch (over
        the sampled label vectors for PG, the perturbed models for ZO).
    train_score_std : ndarray of shape (n_epochs,) or None, default=None
        The spread of those scores within a step, averaged over the epoch.
    valid_score : ndarray of shape (n_epochs,) or None, default=None
        ``scoring`` on the validation split (``early_stopping=True``).
    phases : ndarray of shape (n_epochs,) or None, default=None
        ``"surrogate"`` or ``"score"`` for each epoch.
    kept_epoch : int or None, default=None
        The epoch whose parameters the fitted model kept (early stopping).
    estimator_name : str or None, default=None
        Shown in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes of the plot.
    figure_ : matplotlib Figure
        The figure of the plot.
    lines_ : dict of str to matplotlib Line2D
        The curves drawn, by name (``"train"``, ``"valid"``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_zopg import ScoreHistoryDisplay, ZOClassifier
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> est = ZOClassifier(scoring="f1", surrogate_epochs=3, max_epochs=5).fit(X, y)
    >>> display = ScoreHistoryDisplay.from_estimator(est)
    >>> sorted(display.lines_)
    ['train']
    """

    def __init__(
        self,
        *,
        epochs,
        train_score,
        train_score_std=None,
        valid_score=None,
        phases=None,
        kept_epoch=None,
        estimator_name=None,
    ):
        self.epochs = epochs
        self.train_score = train_score
        self.train_score_std = train_score_std
        self.valid_score = valid_score
        self.phases = phases
        self.kept_epoch = kept_epoch
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None):
        """Plot the training curve of a fitted PG or ZO estimator.

        Parameters
        ----------
        estimator : fitted PGClassifier, ZOClassifier, PGRegressor or ZORegressor
            Its ``net_.history`` is read.
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure when None.
        name : str, default=None
            Title; the estimator's class and ``scoring`` when None.

        Returns
        -------
        display : ScoreHistoryDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator, "net_")
        history = estimator.net_.history
        valid = _column(history, "valid_score")
        std = _column(history, "train_score_std")
        stopper = dict(estimator.net_.callbacks_).get("early_stopping")
        kept = getattr(stopper, "best_epoch_", None) or None
        scoring = _short_name(estimator.scoring)
        display = cls(
            epochs=_column(history, "epoch").astype(int),
            train_score=_column(history, "train_score"),
            train_score_std=None if np.isnan(std).all() else std,
            valid_score=None if np.isnan(valid).all() else valid,
            phases=np.array([row.get("phase", "score") for row in history]),
            kept_epoch=kept,
            estimator_name=name or f"{type(estimator).__name__}, {scoring}",
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure when None.

        Returns
        -------
        display : ScoreHistoryDisplay
            With ``ax_``, ``figure_`` and ``lines_`` set.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        epochs = np.asarray(self.epochs)
        self.lines_ = {}
        if self.phases is not None:
            surrogate = epochs[np.asarray(self.phases) == "surrogate"]
            if surrogate.size:
                ax.axvspan(
                    surrogate.min() - 0.5,
                    surrogate.max() + 0.5,
                    color="0.92",
                    label="surrogate phase (cross-entropy)",
                )
        (self.lines_["train"],) = ax.plot(
            epochs, self.train_score, label="training score (batches)"
        )
        if self.train_score_std is not None:
            std = np.asarray(self.train_score_std)
            ax.fill_between(
                epochs,
                self.train_score - std,
                self.train_score + std,
                alpha=0.2,
                color=self.lines_["train"].get_color(),
                label="± spread of the sampled scores",
            )
        if self.valid_score is not None:
            (self.lines_["valid"],) = ax.plot(
                epochs, self.valid_score, label="validation score"
            )
        if self.kept_epoch is not None:
            ax.axvline(
                self.kept_epoch,
                color="0.3",
                linestyle=":",
                label=f"kept: epoch {self.kept_epoch}",
            )
        ax.set(xlabel="epoch", ylabel="score", title=self.estimator_name)
        ax.legend(loc="best", fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self
