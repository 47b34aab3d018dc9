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
    store : bool
        Keep the K directions in memory (fast to reuse) or regenerate each
        on demand from its seed (memory of one direction at a time).
    """

    def __init__(self, kind, n_directions, params, antithetic=False, store=True):
        self.kind = kind
        self.antithetic = antithetic
        self.shapes = [p.shape for p in params]
        self.dtype = params[0].dtype
        self.device = params[0].device
        self.dim = sum(p.numel() for p in params)
        n_seeds = math.ceil(n_directions / 2) if antithetic else n_directions
        self.n_directions = 2 * n_seeds if antithetic else n_directions
        self.seeds = torch.randint(2**62, (n_seeds,)).tolist()
        self._stored = None
        if store:
            self._stored = [self._generate(k) for k in range(self.n_directions)]

    def __len__(self):
        return self.n_directions

    def __getitem__(self, k):
        """Direction k as a list of tensors, one per parameter."""
        if self._stored is not None:
            return self._stored[k]
        return self._generate(k)

    def stacked(self):
        """All directions as tensors of shape ``(K, *param.shape)``."""
        return [
            torch.stack(parts) for parts in zip(*(self[k] for k in range(len(self))))
        ]

    def sq_norms(self):
        """``||u_k||^2`` for each k, shape ``(K,)``."""
        if self.kind == "gaussian":
            norms = [
                sum(float(u.pow(2).sum()) for u in self[k]) for k in range(len(self))
            ]
            return torch.tensor(norms, dtype=torch.float64)
        return torch.full((len(self),), float(self.dim), dtype=torch.float64)

    def _generate(self, k):
        seed_index, sign = (
            (k // 2, -1.0 if k % 2 else 1.0) if self.antithetic else (k, 1.0)
        )
        gen = torch.Generator(device=self.device).manual_seed(self.seeds[seed_index])
        parts = []
        for shape in self.shapes:
            if self.kind == "rademacher":
                u = torch.randint(0, 2, shape, generator=gen, device=self.device)
                u = u.to(self.dtype) * 2 - 1
            else:
                u = torch.randn(
                    shape, generator=gen, device=self.device, dtype=self.dtype
                )
            parts.append(u)
        if self.kind == "sphere":
            norm = torch.sqrt(sum(u.pow(2).sum() for u in parts))
            scale = math.sqrt(self.dim) / norm
            parts = [u * scale for u in parts]
        return [u * sign for u in parts] if sign < 0 else parts
