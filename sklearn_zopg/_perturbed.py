"""Evaluate K perturbed copies of a module on one batch.

Three ways, same result: ``"vmap"`` (one batched call over stacked
parameters, ``torch.func``), ``"loop"`` (one ``functional_call`` per
direction) and ``"inplace"`` (perturb the parameters in place, forward,
restore: no copy of the parameters, for ``memory_efficient``). When the
perturbed parameters all sit in the tail of a sequential module, the
unperturbed head is computed once per batch and only the tail K times.
"""

import torch
from torch import nn
from torch.func import functional_call, vmap

from ._modules import MLP

__all__ = ["PerturbedModule", "select_parameters"]

VMAP_MAX_PARAMETERS = 20_000


def select_parameters(module, perturb):
    """Names and tensors of the trainable parameters that ZO perturbs.

    ``perturb``: ``"last"`` (the parameters of the last submodule, in
    registration order, that holds trainable parameters of its own: the
    output layer of a usual network), None (all), a name prefix, a list of
    prefixes, or a callable ``(name, parameter) -> bool``.
    """
    named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
    if perturb == "last":
        owners = [
            name
            for name, sub in module.named_modules()
            if any(p.requires_grad for p in sub.parameters(recurse=False))
        ]
        prefix = f"{owners[-1]}." if owners and owners[-1] else ""
        chosen = [(n, p) for n, p in named if n.startswith(prefix)]
        if prefix:
            chosen = [(n, p) for n, p in chosen if "." not in n[len(prefix) :]]
    elif perturb is None:
        chosen = named
    elif callable(perturb):
        chosen = [(n, p) for n, p in named if perturb(n, p)]
    else:
        prefixes = [perturb] if isinstance(perturb, str) else list(perturb)
        chosen = [(n, p) for n, p in named if any(n.startswith(x) for x in prefixes)]
    if not chosen:
        raise ValueError(
            f"perturb={perturb!r} selects no trainable parameter; the module's "
            f"parameters are {[n for n, _ in named]}."
        )
    return dict(chosen)


def _sequential_of(module):
    if isinstance(module, nn.Sequential):
        return module, ""
    if isinstance(module, MLP):
        return module.layers, "layers."
    return None, None


def _split(module, names):
    """(head, tail, rename) if the perturbed names lie in a sequential tail."""
    seq, prefix = _sequential_of(module)
    if seq is None or not all(n.startswith(prefix) for n in names):
        return None
    first = min(int(n[len(prefix) :].split(".")[0]) for n in names)
    if first == 0:
        return None
    # A sliced Sequential keeps its children's names: strip the prefix only.
    rename = {n: n[len(prefix) :] for n in names}
    return seq[:first], seq[first:], rename


class PerturbedModule:
    """Logits of ``module`` at ``theta + eps * u_k`` for each direction k.

    Parameters
    ----------
    module : torch.nn.Module
    params : dict of name -> parameter
        The perturbed parameters (see :func:`select_parameters`).
    mode : {"auto", "vmap", "loop", "inplace"}
        ``"auto"``: vmap up to 20,000 perturbed numbers on the CPU (measured
        faster there for small models, slower for large), always on CUDA;
        loop otherwise. vmap falls back to the loop if the module cannot be
        vmapped.
    """

    def __init__(self, module, params, mode="auto"):
        self.module = module
        self.params = params
        split = _split(module, list(params))
        if split is None:
            self.head, self.tail, self.rename = None, module, {n: n for n in params}
        else:
            self.head, self.tail, self.rename = split
        if mode == "auto":
            d = sum(p.numel() for p in params.values())
            on_gpu = next(iter(params.values())).is_cuda
            mode = "vmap" if on_gpu or d <= VMAP_MAX_PARAMETERS else "loop"
        self.mode = mode

    def features(self, X):
        """The unperturbed head's output (X itself when there is no head)."""
        return X if self.head is None else self.head(X)

    def logits(self, H, directions, eps):
        """Shape ``(K, n, C)``; ``H`` from :meth:`features`."""
        if self.mode == "inplace":
            return self._inplace(H, directions, eps)
        if self.mode == "vmap":
            try:
                return self._vmap(H, directions, eps)
            except Exception:  # modules vmap cannot trace (in-place buffers...)
                self.mode = "loop"
        return self._loop(H, directions, eps)

    def _perturbed(self, u, eps):
        pairs = zip(self.params.items(), u)
        return {self.rename[n]: p + eps * d for (n, p), d in pairs}

    def _loop(self, H, directions, eps):
        return torch.stack(
            [
                functional_call(self.tail, self._perturbed(directions[k], eps), (H,))
                for k in range(len(directions))
            ]
        )

    def _vmap(self, H, directions, eps):
        stacked = self._perturbed(directions.stacked(), eps)
        return vmap(lambda params: functional_call(self.tail, params, (H,)))(stacked)

    def _inplace(self, H, directions, eps):
        out = []
        tensors = list(self.params.values())
        for k in range(len(directions)):
            u = directions[k]
            for p, d in zip(tensors, u):
                p.add_(d, alpha=eps)
            out.append(self.tail(H))
            for p, d in zip(tensors, u):
                p.sub_(d, alpha=eps)
        return torch.stack(out)
