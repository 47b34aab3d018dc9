"""The skorch net of policy gradient: REINFORCE on the model's label distribution."""

import torch

from .._net import ScoreNet, check_finite
from ._gradient import (
    entry_surrogate,
    exact_surrogate,
    pg_advantage,
    pg_surrogate,
    sample_entries,
    sample_labels,
)

__all__ = ["PGNet"]


class EntryReward:
    """A multilabel reward seen as a reward of ``n * L`` two-way decisions.

    The Bernoulli policy of entry ``(i, l)``, ``sigmoid(f_il / T)``, is the
    softmax of the logits ``(0, f_il)``: sampling, the surrogate loss and the
    baselines then run unchanged on label vectors of length ``n * L``, which
    this adapter folds back into ``(K, n, L)`` matrices for the reward (and
    unfolds its per-entry credit into ``(K, n * L, 2)``).
    """

    def __init__(self, reward, n, n_labels):
        self.reward = reward
        self.shape = (n, n_labels)
        self.count_based = reward.count_based

    def _matrices(self, labels):
        return labels.reshape(labels.shape[0], *self.shape)

    def __call__(self, y_true, labels, sample_weight=None):
        return self.reward(y_true, self._matrices(labels), sample_weight)

    def swap_scores(self, y_true, labels, sample_weight=None):
        swap = self.reward.swap_scores(y_true, self._matrices(labels), sample_weight)
        return swap.reshape(labels.shape[0], -1, 2)

    def sample_credit(self, y_true, labels, proba, sample_weight=None):
        """Each entry's credit, exactly: its drawn value minus its chance of
        a one, times what flipping it changes in the score (the
        :func:`~sklearn_zopg.rewards._credit.local_advantage` of two ways)."""
        matrices = self._matrices(labels)
        flip = self.reward.flip_gains(y_true, matrices, sample_weight)
        flip = flip.reshape(labels.shape)
        advantage = (labels - proba[:, 1].to(flip.dtype)) * flip
        return advantage, self.reward(y_true, matrices, sample_weight)


class PGNet(ScoreNet):
    """:class:`~sklearn_zopg._net.ScoreNet` whose score step is policy gradient.

    Parameters are those of :class:`~sklearn_zopg.PGClassifier` of the same
    names (``n_samples``, ``baseline``, ``credit``, ``temperature``), plus
    ``ScoreNet``'s.
    """

    def __init__(
        self,
        module,
        *args,
        n_samples=16,
        baseline="mean",
        credit="auto",
        temperature=1.0,
        **kwargs,
    ):
        super().__init__(module, *args, **kwargs)
        self.n_samples = n_samples
        self.baseline = baseline
        self.credit = credit
        self.temperature = temperature

    def _log_proba(self, logits):
        """``log softmax(logits / T)`` of the policy's decisions."""
        check_finite(logits)
        scaled = logits / self.temperature
        if not bool(torch.isfinite(scaled.sum(dtype=torch.float64))):
            largest = float(logits.detach().abs().max())
            raise ValueError(
                f"temperature={self.temperature} is too small for logits up to "
                f"{largest:.3g}: logits / temperature overflow. Use a larger "
                "temperature."
            )
        return torch.log_softmax(scaled, dim=1)

    def score_step(self, X, y, sample_weight):
        reward, K = self.reward, self.n_samples
        logits = self.infer(X)
        if reward.multilabel:  # one two-way decision per entry
            n, L = logits.shape
            logits = torch.stack([torch.zeros_like(logits), logits], -1)
            logits = logits.reshape(n * L, 2)
            reward = EntryReward(reward, n, L)
        log_proba = self._log_proba(logits)
        proba = log_proba.detach().exp()
        if K == "exact":
            greedy = proba.argmax(1)[None]
            swap = reward.swap_scores(y, greedy, sample_weight)[0]
            loss = exact_surrogate(log_proba.exp(), swap)
            loss.backward()
            score = swap.gather(1, greedy.T)[0, 0]
            return {"loss": loss.detach(), "score": score}
        per_sample = self.credit == "sample" or (
            self.credit == "auto" and reward.count_based
        )
        if isinstance(reward, EntryReward):
            labels = sample_entries(proba, K, self.generator("step"))
        else:
            labels = sample_labels(log_proba, K, self.generator("step"))
        greedy = None
        if not per_sample and self.baseline == "greedy":
            greedy = reward(y, proba.argmax(1)[None], sample_weight)[0]
        advantage, scores = pg_advantage(
            reward,
            y,
            labels,
            proba,
            sample_weight,
            credit="sample" if per_sample else "batch",
            baseline=self.baseline,
            greedy_reward=greedy,
        )
        if isinstance(reward, EntryReward):
            loss = entry_surrogate(log_proba, labels, advantage)
        else:
            loss = pg_surrogate(log_proba, labels, advantage)
        loss.backward()
        return {
            "loss": loss.detach(),
            "score": scores.mean(),
            "score_std": scores.std() if len(scores) > 1 else 0.0,
        }
