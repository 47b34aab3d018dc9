"""Perturbation directions of zeroth-order estimates, stored or regenerated.

Each direction ``u_k`` spans all perturbed parameters and has mean 0 and
identity covariance: ``"gaussian"`` (N(0, I)), ``"rademacher"`` (±1) or
``"sphere"`` (uniform on the sphere of radius sqrt(d)). With ``antithetic``,
directions come in pairs ``(u, -u)``. Each pair (or single direction) is drawn
from its own seed, so ``memory_efficient`` use can regenerate a direction
instead of storing all K of them (as MeZO does).
"""

import math

import torch

__all__ = ["DIRECTION_KINDS", "Directions"]

DIRECTION_KINDS = ("gaussian", "rademacher", "sphere")


class Directions:
    """K directions over parameters of the given shapes.

    Parameters
    ----------
    kind : {"gaussian", "rademacher", "sphere"}
    n_directions : int
        K; with ``antithetic`` an odd K is rounded up to the next pair.
    params : list of tensors
        The perturbed parameters (shapes, dtype and device are read).
    antithetic : bool
        Direction ``2m + 1`` is minus direction ``2m``.
    store : bool
        Draw all K directions at once and keep them (fast: one random call
        per parameter), or regenerate each on demand from its own seed
        (memory of one direction at a time, for ``memory_efficient``).
    generator : torch.Generator, default=None
        Draws the directions' seeds; None uses torch's global generator.
    """

    def __init__(
        self, kind, n_directions, params, antithetic=False, store=True, generator=None
    ):
        self.kind = kind
        self.antithetic = antithetic
        self.shapes = [p.shape for p in params]
        self.dtype = params[0].dtype
        self.device = params[0].device
        self.dim = sum(p.numel() for p in params)
        n_draws = math.ceil(n_directions / 2) if antithetic else n_directions
        self.n_directions = 2 * n_draws if antithetic else n_directions
        seed_device = None if generator is None else generator.device
        self.seeds = torch.randint(
            2**62, (n_draws,), generator=generator, device=seed_device
        ).tolist()
        self._stacked = None
        if store:
            gen = torch.Generator(device=self.device).manual_seed(self.seeds[0])
            draws = self._draw(gen, (n_draws,))
            if antithetic:  # interleave u, -u
                draws = [torch.stack([u, -u], 1).flatten(0, 1) for u in draws]
            self._stacked = draws

    def __len__(self):
        return self.n_directions

    def __getitem__(self, k):
        """Direction k as a list of tensors, one per parameter."""
        if self._stacked is not None:
            return [u[k] for u in self._stacked]
        draw, sign = (k // 2, k % 2) if self.antithetic else (k, 0)
        gen = torch.Generator(device=self.device).manual_seed(self.seeds[draw])
        parts = self._draw(gen, ())
        return [-u for u in parts] if sign else parts

    def stacked(self):
        """All directions as tensors of shape ``(K, *param.shape)``."""
        if self._stacked is not None:
            return self._stacked
        return [
            torch.stack(parts) for parts in zip(*(self[k] for k in range(len(self))))
        ]

    def combine(self, coef):
        """``sum_k coef[k] u_k``, one tensor per parameter."""
        coef = coef.to(self.dtype)
        if self._stacked is not None:
            return [torch.tensordot(coef, u, dims=1) for u in self._stacked]
        total = [
            torch.zeros(shape, dtype=self.dtype, device=self.device)
            for shape in self.shapes
        ]
        for k in range(len(self)):
            for acc, u in zip(total, self[k]):
                acc.add_(u, alpha=float(coef[k]))
        return total

    def sq_norms(self):
        """``||u_k||^2`` for each k, shape ``(K,)``."""
        if self.kind != "gaussian":
            return torch.full((len(self),), float(self.dim), dtype=torch.float64)
        if self._stacked is not None:
            return sum(u.flatten(1).pow(2).sum(1) for u in self._stacked).double().cpu()
        norms = [sum(float(u.pow(2).sum()) for u in self[k]) for k in range(len(self))]
        return torch.tensor(norms, dtype=torch.float64)

    def _draw(self, gen, lead):
        """One draw per parameter, with leading shape ``lead``."""
        parts = []
        for shape in self.shapes:
            full = (*lead, *shape)
            if self.kind == "rademacher":
                u = torch.randint(0, 2, full, generator=gen, device=self.device)
                u = u.to(self.dtype) * 2 - 1
            else:
                # Drawn in float32 (6x faster than float64 normals on the CPU),
                # then used in the parameters' dtype for both the perturbation
                # and the estimate, so the two see the same direction.
                u = torch.randn(
                    full, generator=gen, device=self.device, dtype=torch.float32
                ).to(self.dtype)
            parts.append(u)
        if self.kind == "sphere":
            axes = len(lead)
            norm_sq = sum(u.flatten(axes).pow(2).sum(-1) for u in parts)
            scale = math.sqrt(self.dim) / torch.sqrt(norm_sq)
            parts = [u * scale.view(*lead, *([1] * (u.ndim - axes))) for u in parts]
        return parts
