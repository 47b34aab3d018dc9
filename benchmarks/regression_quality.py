"""Regression quality: PGRegressor and ZORegressor against what users fit.

For each task (a dataset that ships with scikit-learn or a generated one, a
regression scorer), over several seeds and a held-out half, standardized
features:

- ``PGRegressor`` and ``ZORegressor``, defaults, ``scoring=`` the task's;
- (a) the same 64-unit MLP trained by skorch (``NeuralNetRegressor``) on
  squared error, same optimizer, learning rate, epochs and batch size, on
  standardized targets;
- (b) the same MLP on the task's matching differentiable loss where there is
  one: L1 (absolute and median absolute error), relative L1 (MAPE), pinball
  (quantiles, and the asymmetric cost, a pinball of alpha 0.8);
- (c) ``MLPRegressor((64,))``;
- (d) ``LinearRegression``, or ``QuantileRegressor`` for pinball-type tasks;
- (e) ``HistGradientBoostingRegressor`` with its matching ``loss``.

Three more tasks use scorers defined only for positive predictions (the
Poisson, gamma and Tweedie power-1.5 deviances): there (a) and (c), whose
predictions can be negative, cannot be scored, (b) is the MLP on the
deviance with a log link (the GLM loss: it learns ``log mu`` and predicts
``exp``), (d) the matching GLM (``PoissonRegressor``, ``GammaRegressor``,
``TweedieRegressor(power=1.5)``) and (e) gradient boosting with the Poisson
or gamma loss.

Prints a markdown table of mean ± std test score and mean fit time, and
for the generated tasks the best score possible on the same test halves
(the prediction that minimizes the score's expectation under the
generating law, ``BEST``).
Run: ``python benchmarks/regression_quality.py [n_seeds] [task title part]``;
``... speed``
prints the fit-time table instead (defaults against skorch's
``NeuralNetRegressor``, side by side).
"""

import sys
import time
import warnings

import numpy as np
import torch
from _held_out import held_out, test_halves
from scipy.stats import norm
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_diabetes
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import (
    GammaRegressor,
    LinearRegression,
    PoissonRegressor,
    QuantileRegressor,
    TweedieRegressor,
)
from sklearn.metrics import (
    get_scorer,
    make_scorer,
    mean_pinball_loss,
    mean_tweedie_deviance,
)
from sklearn.neural_network import MLPRegressor
from skorch import NeuralNetRegressor

from sklearn_zopg import PGRegressor, ZORegressor
from sklearn_zopg._modules import MLP

PINBALL_90 = make_scorer(mean_pinball_loss, alpha=0.9, greater_is_better=False)


def asymmetric_cost(y_true, y_pred):
    """4 per unit under-forecast, 1 per unit over-forecast (mean)."""
    under = np.maximum(y_true - y_pred, 0)
    over = np.maximum(y_pred - y_true, 0)
    return float(np.mean(4 * under + over))


COST = make_scorer(asymmetric_cost, greater_is_better=False)
TWEEDIE_15 = make_scorer(mean_tweedie_deviance, power=1.5, greater_is_better=False)
SCORER_NAMES = {
    id(PINBALL_90): "pinball(alpha=0.9)",
    id(COST): "asymmetric cost",
    id(TWEEDIE_15): "tweedie deviance(power=1.5)",
}


BEST = {}  # title -> the best prediction of each row, where the task is generated


def tasks():
    """The tasks; for the generated ones, ``BEST`` gets the prediction that
    minimizes the expected score given ``x``, from the generating law."""
    X, y = load_diabetes(return_X_y=True)
    yield "diabetes", "neg_mean_absolute_error", X, y, ("l1", None)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 8))
    mean = X @ rng.normal(size=8)
    y = mean + 2 * rng.standard_t(1.5, size=2000)
    BEST["heavy-tailed noise"] = mean  # symmetric unimodal noise: its center
    yield "heavy-tailed noise", "neg_median_absolute_error", X, y, ("l1", None)
    X = rng.normal(size=(2000, 8))
    log_median = 0.3 * X @ rng.normal(size=8)
    y = np.exp(log_median + 0.3 * rng.normal(size=2000))
    # MAPE: the median of the law reweighted by 1 / y, exp(mu - sigma^2)
    BEST["positive target"] = np.exp(log_median - 0.3**2)
    yield "positive target", "neg_mean_absolute_percentage_error", X, y, ("mape", None)
    X = rng.normal(size=(2000, 8))
    mean = X @ rng.normal(size=8)
    spread = 1 + np.abs(X[:, 0])
    y = mean + spread * rng.normal(size=2000)
    BEST["heteroscedastic, 90% quantile"] = mean + spread * norm.ppf(0.9)
    BEST["same, cost 4 per unit under"] = mean + spread * norm.ppf(0.8)
    yield "heteroscedastic, 90% quantile", PINBALL_90, X, y, ("pinball", 0.9)
    yield "same, cost 4 per unit under", COST, X, y, ("pinball", 0.8)
    X = rng.normal(size=(2000, 8))
    rate = np.exp(0.5 * X[:, 0] - 0.4 * X[:, 1] + 0.3 * X[:, 2] * X[:, 3])
    counts = rng.poisson(rate).astype(float)
    for title in (
        "deviance: counts (37% zeros)",
        "deviance: gamma-distributed",
        "deviance: same counts, Tweedie 1.5",
    ):
        BEST[title] = rate  # a deviance is minimized by the mean
    yield (
        "deviance: counts (37% zeros)",
        "neg_mean_poisson_deviance",
        X,
        counts,
        ("tweedie", 1),
    )
    yield (
        "deviance: gamma-distributed",
        "neg_mean_gamma_deviance",
        X,
        rng.gamma(2, rate / 2),
        (
            "tweedie",
            2,
        ),
    )
    yield "deviance: same counts, Tweedie 1.5", TWEEDIE_15, X, counts, ("tweedie", 1.5)


class _Given(RegressorMixin, BaseEstimator):
    """Predicts given values (the rows' best predictions), for scorers."""

    def __init__(self, values):
        self.values = values

    def predict(self, X):
        return self.values


def limit_of(title, scorer, y, seeds):
    """The score of the best predictions on each seed's test half
    (``held_out``'s split), as "mean ± std", or "-" for a task that was not
    generated."""
    if title not in BEST:
        return "-"
    limits = [
        scorer(_Given(best_test), best_test[:, None], y_test)
        for best_test, y_test in test_halves(BEST[title], y, seeds, stratify=False)
    ]
    return f"{np.mean(limits):.4g} ± {np.std(limits):.2g}"


class _Loss(torch.nn.Module):
    """Pinball loss of quantile ``alpha``, or (``kind="tweedie"``) the
    Tweedie deviance of power ``alpha`` of a log-link output."""

    def __init__(self, kind="pinball", alpha=0.5):
        super().__init__()
        self.kind = kind
        self.alpha = alpha

    def forward(self, pred, target):
        if self.kind == "tweedie":  # the deviance of power alpha, pred = log mu
            p = self.alpha
            if p == 1:
                return (torch.exp(pred) - target * pred).mean()
            if p == 2:
                return (target * torch.exp(-pred) + pred).mean()
            return (
                -target * torch.exp((1 - p) * pred) / (1 - p)
                + torch.exp((2 - p) * pred) / (2 - p)
            ).mean()
        diff = target - pred
        return torch.maximum(self.alpha * diff, (self.alpha - 1) * diff).mean()


class SkorchMLP(RegressorMixin, BaseEstimator):
    """The default MLP by skorch on standardized targets, squared error or a
    matching loss (``kind``: "l1", "mape" (L1 weighted by 1/|y|), "pinball",
    "tweedie": raw targets, a log-link output)."""

    def __init__(self, kind=None, alpha=None, seed=0):
        self.kind = kind
        self.alpha = alpha
        self.seed = seed

    def fit(self, X, y):
        torch.manual_seed(self.seed)
        self.mean_, self.scale_ = y.mean(), y.std()
        if self.kind == "tweedie":  # log mu = f(x): no standardization
            self.mean_, self.scale_ = 0.0, 1.0
        target = ((y - self.mean_) / self.scale_).astype(np.float32)[:, None]
        sample_weight = None
        if self.kind == "mape":  # minimize |y - p| / |y|: weight rows by 1/|y|
            sample_weight = 1 / np.maximum(np.abs(y), 1e-12)
            sample_weight = sample_weight / sample_weight.mean()
        params = dict(
            optimizer=torch.optim.Adam,
            lr=0.01,
            max_epochs=100,
            batch_size=256,
            train_split=None,
            verbose=0,
        )
        if self.kind is None:
            params["criterion"] = torch.nn.MSELoss
        elif self.kind in ("l1", "mape"):
            params["criterion"] = torch.nn.L1Loss
        else:
            params["criterion"] = _Loss
            params["criterion__kind"] = self.kind
            params["criterion__alpha"] = self.alpha
        X = np.asarray(X, dtype=np.float32)
        if sample_weight is not None:  # repeat rows in proportion to 1/|y|
            rng = np.random.default_rng(self.seed)
            rows = rng.choice(len(y), len(y), p=sample_weight / sample_weight.sum())
            X, target = X[rows], target[rows]
        self.net_ = NeuralNetRegressor(MLP(X.shape[1], 1), **params).fit(X, target)
        return self

    def predict(self, X):
        out = self.net_.predict(np.asarray(X, dtype=np.float32))[:, 0]
        if self.kind == "tweedie":
            return np.exp(out)
        return out * self.scale_ + self.mean_


def methods(scoring, matching):
    kind, alpha = matching
    yield "PGRegressor", lambda s: PGRegressor(scoring=scoring, random_state=s)
    yield "ZORegressor", lambda s: ZORegressor(scoring=scoring, random_state=s)
    if kind != "tweedie":  # their predictions can leave a deviance's domain
        yield "(a) MLP, squared error", lambda s: SkorchMLP(seed=s)
    label = {
        "l1": "L1",
        "mape": "L1 weighted by 1/|y|",
        "pinball": f"pinball {alpha}",
        "tweedie": f"Tweedie deviance {alpha}, log link",
    }
    yield f"(b) MLP, {label[kind]}", lambda s: SkorchMLP(kind, alpha, s)
    if kind != "tweedie":
        yield (
            "(c) MLPRegressor",
            lambda s: MLPRegressor(
                hidden_layer_sizes=(64,), max_iter=500, random_state=s
            ),
        )
    if kind == "tweedie":
        glm = {1: PoissonRegressor, 2: GammaRegressor}.get(alpha)
        if glm is None:
            yield "(d) TweedieRegressor(1.5)", lambda s: TweedieRegressor(power=alpha)
        else:
            yield f"(d) {glm.__name__}", lambda s: glm()
        loss = dict(loss="gamma" if alpha == 2 else "poisson")
    elif kind == "pinball":
        yield (
            f"(d) QuantileRegressor({alpha})",
            lambda s: QuantileRegressor(quantile=alpha, alpha=0.0, solver="highs"),
        )
        loss = dict(loss="quantile", quantile=alpha)
    else:
        yield "(d) LinearRegression", lambda s: LinearRegression()
        loss = dict(loss="absolute_error")
    yield (
        f"(e) HistGradientBoosting({loss['loss']})",
        lambda s: HistGradientBoostingRegressor(**loss, random_state=s),
    )


def main(n_seeds=3, only=""):
    warnings.simplefilter("ignore")  # convergence warnings of the anchors
    print(
        f"Test score, mean ± std over {n_seeds} seeds (50/50 split, "
        "standardized features); fit time in seconds\n"
    )
    print("| task | scorer | method | test score | fit time | best possible |")
    print("|---|---|---|---|---|---|")
    for title, scoring, X, y, matching in tasks():
        if only not in title:
            continue
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
        limit = limit_of(title, scorer, y, range(n_seeds))
        name = scoring if isinstance(scoring, str) else SCORER_NAMES[id(scoring)]
        for method, make in methods(scoring, matching):
            scores, times = held_out(
                lambda seed, n, make=make: make(seed),
                X,
                y,
                scorer,
                range(n_seeds),
                stratify=False,
            )
            print(
                f"| {title} | {name} | {method} | {np.mean(scores):.4g} ± "
                f"{np.std(scores):.2g} | {np.mean(times):.2f} | {limit} |",
                flush=True,
            )


def speed_table(n_rows=20000, repeats=2):
    """Fit time of the regressors' defaults against skorch's
    NeuralNetRegressor on the same MLP, epochs (20 + 100) and batch size,
    side by side, best of ``repeats``."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, 20)).astype(np.float32)
    y = (X @ rng.normal(size=20) + rng.standard_t(3, size=n_rows)).astype(np.float32)

    def best(fit):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fit()
            times.append(time.perf_counter() - start)
        return min(times)

    def skorch_fit():
        torch.manual_seed(0)
        NeuralNetRegressor(
            MLP(20, 1),
            optimizer=torch.optim.Adam,
            lr=0.01,
            max_epochs=120,
            batch_size=256,
            train_split=None,
            verbose=0,
        ).fit(X, y[:, None])

    base = best(skorch_fit)
    print(f"\nFit time, {n_rows} rows x 20 features, 120 epochs, batch 256\n")
    print("| method | fit s | / skorch |")
    print("|---|---|---|")
    print(f"| skorch NeuralNetRegressor (MSE) | {base:.2f} | 1.00× |")
    for name, Estimator in (("PGRegressor", PGRegressor), ("ZORegressor", ZORegressor)):
        t = best(lambda: Estimator(random_state=0).fit(X, y))
        print(f"| {name} (defaults: 20 + 100 epochs) | {t:.2f} | {t / base:.2f}× |")


if __name__ == "__main__":
    if sys.argv[1:] == ["speed"]:
        speed_table()
    else:
        main(*(int(a) if a.isdigit() else a for a in sys.argv[1:]))
