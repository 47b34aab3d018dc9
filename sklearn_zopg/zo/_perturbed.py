"""Evaluate K perturbed copies of a module on one batch.

Four ways, same result: ``"stacked"`` (batched matrix products over K
stacked weight copies, for sequential stacks of ``nn.Linear`` and
element-wise activations), ``"vmap"`` (one batched call over stacked
parameters, ``torch.func``, any module), ``"loop"`` (one ``functional_call``
per direction) and ``"inplace"`` (perturb the parameters in place, forward,
restore: no copy of the parameters, for ``memory_efficient``). When the
perturbed parameters all sit in the tail of a sequential module, the
unperturbed head is computed once per batch and only the tail K times.
"""

import contextlib

import torch
from torch import nn
from torch.func import functional_call, vmap

from .._messages import preview
from .._modules import MLP
from .._quantiles import QuantileInput
from .._sparse import is_sparse_tensor, sparse_linear

__all__ = ["PerturbedModule", "select_parameters"]

VMAP_MAX_PARAMETERS = 20_000
# Batched modes evaluate the K perturbed models in groups whose activations
# take at most this many bytes, so that memory stays bounded at any K.
BATCHED_MEMORY_BUDGET = 256 * 2**20

_ELEMENTWISE = (
    nn.ReLU,
    nn.LeakyReLU,
    nn.ELU,
    nn.GELU,
    nn.SiLU,
    nn.Tanh,
    nn.Sigmoid,
    nn.Identity,
)


def resolve_perturb(perturb, reward):
    """``perturb="auto"``: every parameter (None) for a scorer of the rows'
    order (``reward.ranks_rows``: ROC AUC, average precision), whose value
    depends on every row's score, so the whole representation is worth
    moving; the output layer (``"last"``) for the others. Other values are
    returned as they are."""
    if isinstance(perturb, str) and perturb == "auto":
        return None if reward.ranks_rows else "last"
    return perturb


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
            f"parameters are {preview([n for n, _ in named])}."
        )
    return dict(chosen)


def _sequential_of(module):
    if isinstance(module, nn.Sequential):
        return module, ""
    if isinstance(module, MLP):
        return module.layers, "layers."
    return None, None


def _split(module, names):
    """(head or None, tail, rename) for a sequential module, else None.

    The tail starts at the first child holding a perturbed parameter; the
    head, if any, is evaluated once per batch. An MLP's input map (when it
    has one) opens its head.
    """
    seq, prefix = _sequential_of(module)
    if seq is None or not all(n.startswith(prefix) for n in names):
        return None
    first = min(int(n[len(prefix) :].split(".")[0]) for n in names)
    # A sliced Sequential keeps its children's names: strip the prefix only.
    rename = {n: n[len(prefix) :] for n in names}
    head = list(seq[:first]) if first else []
    if isinstance(module, MLP) and isinstance(module.inputs, QuantileInput):
        head.insert(0, module.inputs)
    return (nn.Sequential(*head) if head else None), seq[first:], rename


def _linear_per_model(h, shared, weight, bias):
    """``h @ weight.T + bias`` where the weight and bias may be per model.

    ``h`` is ``(n, d)`` when ``shared`` by all K models, else ``(K, n, d)``;
    ``weight`` is ``(out, d)`` or ``(K, out, d)``, ``bias`` ``(out,)``,
    ``(K, out)`` or None. A shared input meets K weights in one matrix product
    (``n x d`` by ``d x K*out``) instead of K.
    """
    if weight.ndim == 2:
        out = sparse_linear(h, weight)
    elif shared:  # h may be a sparse batch: sparse_linear multiplies it
        K, width = weight.shape[0], weight.shape[1]
        out = sparse_linear(h, weight.reshape(K * width, -1))
        out = out.view(h.shape[0], K, width).transpose(0, 1)
    else:
        out = torch.bmm(h, weight.transpose(1, 2))
    if bias is None:
        return out
    if bias.ndim == 1:
        return out.add_(bias)  # out is this product's own buffer
    return out + bias[:, None, :] if out.ndim == 2 else out.add_(bias[:, None, :])


@contextlib.contextmanager
def _perturbed_in_place(tensors, direction, eps):
    """``tensors += eps * direction`` for the block, undone on the way out
    whatever ends it: an error, or a ``KeyboardInterrupt`` inside the
    perturbed forward (where most of a step's time goes), never leaves the
    module at ``theta + eps u``."""
    done = []
    try:
        for p, d in zip(tensors, direction):
            p.add_(d, alpha=eps)
            done.append((p, d))
        yield
    finally:
        for p, d in done:
            p.sub_(d, alpha=eps)


class PerturbedModule:
    """Logits of ``module`` at ``theta + eps * u_k`` for each direction k.

    Parameters
    ----------
    module : torch.nn.Module
    params : dict of name -> parameter
        The perturbed parameters (see :func:`select_parameters`).
    mode : {"auto", "stacked", "vmap", "loop", "inplace"}
        ``"auto"``: stacked weights for Linear stacks, else vmap, on CUDA and
        for up to 20,000 perturbed numbers on the CPU; the loop above that
        (see ``_auto_mode``). vmap falls back to the loop if the module
        cannot be vmapped.
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
            mode = self._auto_mode()
        self.mode = mode

    def _auto_mode(self):
        """A fixed rule from ``benchmarks/speed.py`` (no timing: fits stay
        bit-for-bit reproducible). On the CPU, batching pays for small
        perturbed sets (3.5x stacked, 2.8x vmap over the loop at 1.5k numbers,
        K=32) and loses for large ones (0.5-0.8x at 72k); on CUDA it pays."""
        on_gpu = next(iter(self.params.values())).is_cuda
        small = sum(p.numel() for p in self.params.values()) <= VMAP_MAX_PARAMETERS
        if self._stackable() and (on_gpu or small):
            return "stacked"
        return "vmap" if on_gpu or small else "loop"

    def _stackable(self):
        if not isinstance(self.tail, nn.Sequential):
            return False
        return all(isinstance(layer, (nn.Linear, *_ELEMENTWISE)) for layer in self.tail)

    def state_of(self, directions, eps):
        """``k -> context manager`` within which the module's parameters are
        those of the k-th model of :meth:`logits` (``theta + eps * u_k``); a
        ``k`` past the directions is the module as it is (the current model
        scored beside them)."""

        @contextlib.contextmanager
        def state(k):
            if k >= len(directions):
                yield
                return
            tensors = list(self.params.values())
            saved = [p.clone() for p in tensors]
            try:
                for p, d in zip(tensors, directions[k]):
                    p.add_(d, alpha=eps)
                yield
            finally:  # restored exactly, whatever the scorer raised
                for p, value in zip(tensors, saved):
                    p.copy_(value)

        return state

    def features(self, X):
        """The unperturbed head's output (X itself when there is no head)."""
        return X if self.head is None else self.head(X)

    def logits(self, H, directions, eps):
        """Shape ``(K, n, C)``; ``H`` from :meth:`features`."""
        if self.mode == "inplace":
            return self._inplace(H, directions, eps)
        if self.mode == "stacked":
            if not self._stackable():
                raise ValueError("mode='stacked' needs a Sequential of Linear layers.")
            return self._in_groups(self._stacked, H, directions, eps)
        if self.mode == "vmap":
            try:
                return self._in_groups(self._vmap, H, directions, eps)
            except Exception:  # modules vmap cannot trace (in-place buffers...)
                self.mode = "loop"
        return self._loop(H, directions, eps)

    def _group_size(self, H):
        """Perturbed models per group: their widest activations (input,
        output and the largest layer, twice for a layer's input and output)
        and their perturbed parameters (the direction and ``theta + eps u``)
        fit in ``BATCHED_MEMORY_BUDGET``."""
        # A sparse input is shared by the K models, never copied.
        widths = [0 if is_sparse_tensor(H) else H.shape[-1]]
        for layer in self.tail.modules():
            if isinstance(layer, nn.Linear):
                widths.append(layer.out_features)
        activations = 2 * H.shape[0] * max(widths) * H.element_size()
        parameters = 2 * sum(p.numel() * p.element_size() for p in self.params.values())
        return max(1, BATCHED_MEMORY_BUDGET // (activations + parameters))

    def _in_groups(self, evaluate, H, directions, eps):
        size = self._group_size(H)
        if size >= len(directions):
            return evaluate(H, directions, eps)
        return torch.cat([evaluate(H, group, eps) for group in directions.chunks(size)])

    def _perturbed(self, u, eps):
        pairs = zip(self.params.items(), u)
        return {self.rename[n]: torch.add(p, d, alpha=eps) for (n, p), d in pairs}

    def _loop(self, H, directions, eps):
        # One buffer for the K logits, as in _inplace: K small logits kept
        # between the large activations of successive forwards pin freed
        # memory in glibc's heap (peak RSS grew with K: benchmarks/speed.py
        # table 8).
        out = None
        for k in range(len(directions)):
            perturbed = self._perturbed(directions[k], eps)
            logits = functional_call(self.tail, perturbed, (H,))
            if out is None:
                out = logits.new_empty((len(directions), *logits.shape))
            out[k] = logits
            del logits, perturbed
        return out

    def _vmap(self, H, directions, eps):
        stacked = self._perturbed(directions.stacked(), eps)
        return vmap(lambda params: functional_call(self.tail, params, (H,)))(stacked)

    def _stacked(self, H, directions, eps):
        perturbed = self._perturbed(directions.stacked(), eps)  # name -> (K, ...)
        h, shared = H, True  # shared: one (n, d) input for all K models
        for name, layer in self.tail.named_children():
            if isinstance(layer, nn.Linear):
                weight = perturbed.get(f"{name}.weight", layer.weight)
                bias = perturbed.get(f"{name}.bias", layer.bias)
                h = _linear_per_model(h, shared, weight, bias)
                shared = h.ndim == 2
            elif isinstance(layer, nn.ReLU) and not shared:
                h = h.relu_()  # h is this forward's own buffer
            else:
                h = layer(h)
        return h.expand(len(directions), *h.shape) if shared else h

    def _inplace(self, H, directions, eps):
        # The K logits go into one buffer allocated up front: small tensors
        # kept between the large activations of successive forwards pinned
        # freed memory in glibc's heap, and peak RSS grew with K
        # (benchmarks/speed.py table 7).
        out = None
        tensors = list(self.params.values())
        for k in range(len(directions)):
            u = directions[k]
            with _perturbed_in_place(tensors, u, eps):
                logits = self.tail(H)
            if out is None:
                out = logits.new_empty((len(directions), *logits.shape))
            out[k] = logits
            del logits, u
        return out
