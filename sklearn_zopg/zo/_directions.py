"""Perturbation directions of zeroth-order estimates, stored or regenerated.

Each direction ``u_k`` spans all perturbed parameters and has mean 0 and
identity covariance: ``"gaussian"`` (N(0, I)), ``"rademacher"`` (±1) or
``"sphere"`` (uniform on the sphere of radius sqrt(d)). With ``antithetic``,
directions come in pairs ``(u, -u)``. Stored directions are one ``(K, dim)``
matrix drawn at once (parameters concatenated; each parameter sees a view).
Otherwise each pair (or single direction) gets its own seed, so
``memory_efficient`` use can regenerate a direction instead of storing all K
of them (as MeZO does).
"""

import math

import torch

__all__ = ["DIRECTION_KINDS", "DirectionChunk", "Directions"]

DIRECTION_KINDS = ("gaussian", "rademacher", "sphere")
# Stored directions take at most this many bytes: beyond it (many directions
# over many parameters) each is regenerated from its seed, so that memory
# stays bounded at any K in every evaluation mode.
STORED_DIRECTIONS_BUDGET = 256 * 2**20


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
        Draw all K directions at once and keep them (fast: one random call),
        or regenerate each on demand from its own seed (memory of one
        direction at a time, for ``memory_efficient``). Directions that
        would take more than ``STORED_DIRECTIONS_BUDGET`` bytes are never
        stored.
    generator : torch.Generator, default=None
        Draws the stored directions (or, on another device than the
        parameters, their seed) or the regenerated directions' seeds; None
        uses torch's global generator.
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
        self._matrix = None
        element = params[0].element_size()
        if self.n_directions * self.dim * element > STORED_DIRECTIONS_BUDGET:
            store = False  # K directions this large are regenerated instead
        if store:
            # One draw of all K directions, from the caller's generator when it
            # lives on the parameters' device.
            on_device = generator is None or generator.device == self.device
            gen = generator if on_device else self._seeded(self._seeds(generator, 1)[0])
            draws = self._draw(gen, n_draws)
            if antithetic:  # interleave u, -u, without a temporary for -u
                pairs = draws.new_empty((self.n_directions, self.dim))
                pairs[0::2] = draws
                pairs[1::2] = draws
                pairs[1::2].neg_()
                draws = pairs
            self._matrix = draws
            self._stacked = self._split(draws)
        else:
            self.seeds = self._seeds(generator, n_draws)

    @staticmethod
    def _seeds(generator, n):
        """``n`` integer seeds drawn from ``generator``."""
        device = None if generator is None else generator.device
        return torch.randint(2**62, (n,), generator=generator, device=device).tolist()

    def _seeded(self, seed):
        """A generator on the parameters' device seeded with ``seed``."""
        return torch.Generator(device=self.device).manual_seed(seed)

    def _regenerated(self, k):
        """Direction k as one ``(dim,)`` vector, redrawn from its seed."""
        draw, sign = (k // 2, k % 2) if self.antithetic else (k, 0)
        u = self._draw(self._seeded(self.seeds[draw]), None)
        return u.neg_() if sign else u  # u is this call's own draw

    def __len__(self):
        return self.n_directions

    def __getitem__(self, k):
        """Direction k as a list of tensors, one per parameter."""
        if self._matrix is not None:
            return [u[k] for u in self._stacked]
        return self._split(self._regenerated(k))

    def stacked(self):
        """All directions as tensors of shape ``(K, *param.shape)``."""
        if self._matrix is not None:
            return self._stacked
        return [
            torch.stack(parts) for parts in zip(*(self[k] for k in range(len(self))))
        ]

    def chunks(self, size):
        """The directions in consecutive groups of at most ``size``, each a
        :class:`DirectionChunk` (views of the stored directions)."""
        return [
            DirectionChunk(self, start, min(start + size, len(self)))
            for start in range(0, len(self), size)
        ]

    def matrix(self):
        """All directions as one ``(K, dim)`` matrix, parameters concatenated."""
        if self._matrix is not None:
            return self._matrix
        return torch.cat([u.flatten(1) for u in self.stacked()], 1)

    def combine(self, coef):
        """``sum_k coef[k] u_k``, one tensor per parameter."""
        coef = coef.to(self.dtype)
        if self._matrix is not None:
            return self._split(coef @ self._matrix)
        total = torch.zeros(self.dim, dtype=self.dtype, device=self.device)
        for k in range(len(self)):
            total.add_(self._regenerated(k), alpha=float(coef[k]))
        return self._split(total)

    def sq_norms(self):
        """``||u_k||^2`` for each k, shape ``(K,)``."""
        if self.kind != "gaussian":
            return torch.full((len(self),), float(self.dim), dtype=torch.float64)
        if self._matrix is not None:
            return self._matrix.pow(2).sum(1).double().cpu()
        norms = [float(self._regenerated(k).pow(2).sum()) for k in range(len(self))]
        return torch.tensor(norms, dtype=torch.float64)

    def _split(self, flat):
        """Views of the last axis of ``flat`` as the parameters' shapes."""
        lead = flat.shape[:-1]
        parts, start = [], 0
        for shape in self.shapes:
            size = math.prod(shape)
            parts.append(flat[..., start : start + size].reshape(*lead, *shape))
            start += size
        return parts

    def _draw(self, gen, n_draws):
        """Directions of ``dim`` numbers: ``(n_draws, dim)``, or ``(dim,)`` for None."""
        full = (self.dim,) if n_draws is None else (n_draws, self.dim)
        if self.kind == "rademacher":
            u = torch.randint(0, 2, full, generator=gen, device=self.device)
            return u.to(self.dtype) * 2 - 1
        # Drawn in float32 (6x faster than float64 normals on the CPU), then
        # used in the parameters' dtype for both the perturbation and the
        # estimate, so the two see the same direction.
        u = torch.randn(full, generator=gen, device=self.device, dtype=torch.float32)
        u = u.to(self.dtype)
        if self.kind == "sphere":
            u = u * (math.sqrt(self.dim) / u.norm(dim=-1, keepdim=True))
        return u


class DirectionChunk:
    """Directions ``start..stop`` of a :class:`Directions`, for evaluating
    the perturbed models a group at a time (``len`` and ``stacked``)."""

    def __init__(self, directions, start, stop):
        self.directions = directions
        self.start = start
        self.stop = stop

    def __len__(self):
        return self.stop - self.start

    def stacked(self):
        """This group's directions ``(len, *param.shape)``: views of the
        stored ones, or only this group's regenerated."""
        directions = self.directions
        if directions._matrix is not None:
            return [u[self.start : self.stop] for u in directions.stacked()]
        group = [directions[k] for k in range(self.start, self.stop)]
        return [torch.stack(parts) for parts in zip(*group)]
