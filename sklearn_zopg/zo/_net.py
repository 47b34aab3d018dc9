"""The skorch net of zeroth-order training: scores of perturbed models."""

import torch

from .._net import Diverged, ScoreNet, check_finite
from ._baselines import centered_ranks, zo_baseline
from ._directions import Directions
from ._gradient import zo_gradient
from ._perturbed import PerturbedModule, resolve_perturb, select_parameters

__all__ = ["ZONet"]


class ZONet(ScoreNet):
    """:class:`~sklearn_zopg._net.ScoreNet` whose score step is a ZO estimate.

    Parameters are those of :class:`~sklearn_zopg.ZOClassifier` of the same
    names (``n_samples``, ``epsilon``, ``baseline``, ``direction``,
    ``antithetic``, ``fitness``, ``perturb``, ``batched``,
    ``memory_efficient``), plus ``ScoreNet``'s.
    """

    def __init__(
        self,
        module,
        *args,
        n_samples=16,
        epsilon=0.1,
        baseline="current",
        direction="gaussian",
        antithetic=True,
        fitness="raw",
        perturb="auto",
        batched="auto",
        memory_efficient=False,
        **kwargs,
    ):
        super().__init__(module, *args, **kwargs)
        self.n_samples = n_samples
        self.epsilon = epsilon
        self.baseline = baseline
        self.direction = direction
        self.antithetic = antithetic
        self.fitness = fitness
        self.perturb = perturb
        self.batched = batched
        self.memory_efficient = memory_efficient

    def _perturbed(self):
        """The ``PerturbedModule`` of the current module and settings (cached:
        it holds views of the parameters, valid until the module changes)."""
        if self.memory_efficient:
            mode = "inplace"
        else:
            mode = {"auto": "auto", True: "vmap", False: "loop"}[self.batched]
        perturb = resolve_perturb(self.perturb, self.reward)
        key = (id(self.module_), mode, repr(perturb))
        cached = self.__dict__.get("perturbed_cache_")
        if cached is None or cached[0] != key:
            params = select_parameters(self.module_, perturb)
            cached = (key, PerturbedModule(self.module_, params, mode))
            self.__dict__["perturbed_cache_"] = cached
        return cached[1]

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("perturbed_cache_", None)
        return state

    score_phase_uses_gradients = False

    def zeroth_order_parameters(self):
        return list(self._perturbed().params.values())

    def score_step(self, X, y, sample_weight):
        perturbed = self._perturbed()
        params = list(perturbed.params.values())
        eps, baseline = self.epsilon, self.baseline
        with torch.no_grad():
            directions = Directions(
                self.direction,
                self.n_samples,
                params,
                self.antithetic,
                store=not self.memory_efficient,
                generator=self.generator("step"),
            )
            H = perturbed.features(X)
            logits = perturbed.logits(H, directions, eps)
            if baseline == "current":  # scored with the K others, in one call
                logits = torch.cat([logits, perturbed.tail(H)[None]])
            logits_finite = torch.isfinite(logits.sum(dtype=torch.float64))
            if not self.reward.count_based:  # the scorer reads them on the host
                check_finite(logits)
            with self.reward.model_states(perturbed.state_of(directions, eps)):
                scores = self.reward.score_logits(y, logits, sample_weight, check=False)
            scores_summary = self.reward.summary(scores)  # the current one's too
            current = None
            if baseline == "current":
                scores, current = scores[:-1], scores[-1]
            if self.fitness == "centered_ranks":
                weights = centered_ranks(scores)
            else:
                sq_norms = None
                if baseline == "optimal":
                    sq_norms = directions.sq_norms().to(scores.device)
                weights = scores - zo_baseline(baseline, scores, sq_norms, current)
            # The optimizer descends: hand it minus the ascent direction.
            descent = zo_gradient(-weights.to(X.device), directions, eps)
            for p, g in zip(params, descent):
                p.grad = g
            score = current if current is not None else scores.mean()
            # The step's one wait for the device: every number it checks or
            # records, fetched together.
            summary = torch.cat(
                [
                    logits_finite.double()[None],
                    scores_summary,
                    torch.stack([score, scores.std()]).double(),
                ]
            ).tolist()
        if not summary[0]:
            raise Diverged("the module's logits hold NaN or infinity")
        self.reward.check_summary(summary[1], summary[2])
        return {"loss": -score, "score": summary[3], "score_std": summary[4]}
