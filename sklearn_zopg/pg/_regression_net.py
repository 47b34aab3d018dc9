"""The skorch net of policy gradient for regression: a Gaussian policy."""

import torch

from .._net import ScoreNet, check_finite
from ._baselines import pg_baseline

__all__ = ["PGRegressionNet"]


def gaussian_surrogate(outputs, samples, advantage, sigma):
    """Surrogate loss whose gradient is minus the REINFORCE estimate of a
    Gaussian policy ``N(outputs, sigma^2)``.

    ``-(1/K) sum_k sum_i A[k, i] log p(samples[k, i])``, with
    ``log p = -||samples - outputs||^2 / (2 sigma^2) + const`` per sample.

    Parameters
    ----------
    outputs : tensor of shape (n, m)
        The policy's means (differentiable).
    samples : tensor of shape (K, n, m)
    advantage : tensor of shape (K, n) or (K, 1)
    """
    log_p = -((samples - outputs[None]) ** 2).sum(-1) / (2 * sigma * sigma)
    return -(advantage.detach().to(log_p.dtype) * log_p).sum(1).mean()


class PGRegressionNet(ScoreNet):
    """:class:`~sklearn_zopg._net.ScoreNet` whose score step is policy
    gradient on a Gaussian policy ``y ~ N(f(x), sigma^2)`` (standardized
    units).

    Parameters are those of :class:`~sklearn_zopg.PGRegressor` of the same
    names (``n_samples``, ``baseline``, ``credit``, ``sigma``).
    """

    def __init__(
        self,
        module,
        *args,
        n_samples=16,
        baseline="loo",
        credit="auto",
        sigma=0.1,
        **kwargs,
    ):
        super().__init__(module, *args, **kwargs)
        self.n_samples = n_samples
        self.baseline = baseline
        self.credit = credit
        self.sigma = sigma

    def score_step(self, X, y, sample_weight):
        reward, K, sigma = self.reward, self.n_samples, self.sigma
        outputs = self.infer(X)
        check_finite(outputs)
        noise = torch.randn(
            (K, *outputs.shape),
            generator=self.generator("step"),
            device=outputs.device,
            dtype=outputs.dtype,
        )
        samples = outputs.detach()[None] + sigma * noise
        per_sample = self.credit == "sample" or (
            self.credit == "auto" and reward.decomposable
        )
        if per_sample:
            # each sample's share of the score, against the mean share of the
            # other K - 1 draws at that sample (leave-one-out): unbiased, and
            # the variance does not grow with the batch
            shares = reward.contributions(y, samples, sample_weight)  # K, n
            scores = shares.sum(1)
            reward.check_summary(*reward.summary(scores).tolist())
            others = (shares.sum(0, keepdim=True) - shares) / max(K - 1, 1)
            advantage = shares - others if K > 1 else shares
        else:
            scores = reward.score_logits(y, samples, sample_weight)
            greedy = None
            if self.baseline == "greedy":
                greedy = reward.score_logits(y, outputs.detach()[None], sample_weight)[
                    0
                ]
            norms = None
            if self.baseline == "optimal":
                norms = (noise**2).sum((1, 2)) / (sigma * sigma)
            advantage = (scores - pg_baseline(self.baseline, scores, norms, greedy))[
                :, None
            ]
        loss = gaussian_surrogate(outputs, samples, advantage, sigma)
        loss.backward()
        return {
            "loss": loss.detach(),
            "score": scores.mean(),
            "score_std": scores.std() if K > 1 else 0.0,
        }
