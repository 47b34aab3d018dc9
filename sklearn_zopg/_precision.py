"""The dtype a module trains in: float32 where it pays, float64 where it
buys exactness.

On the GPU, and on the CPU for models of more than
``FLOAT32_MIN_PARAMETERS`` parameters, the module trains in float32: a
(256, 256) MLP's cross-entropy step is 1.8x faster, ZO's batched forward
of 32 perturbed models 1.5-1.8x (``benchmarks/precision.py``). Smaller CPU
models train in float64: their steps are bound by Python and small torch
calls, so float32 buys no time there, and float64 keeps predictions
invariant to the rows they are computed with (sklearn's subset-invariance
and sample-weight-equivalence checks hold exactly). The rewards' arithmetic
(counts, sums, ranks) is float64 in both, to equal sklearn's.
"""

import torch

__all__ = ["FLOAT32_MIN_PARAMETERS", "training_dtype"]

# Models with more parameters than this train in float32 on the CPU too.
FLOAT32_MIN_PARAMETERS = 10_000


def training_dtype(module, device):
    """float32 or float64 for ``module`` on ``device`` (a ``torch.device``)."""
    if device.type != "cpu":
        return torch.float32
    n_parameters = sum(p.numel() for p in module.parameters())
    return torch.float32 if n_parameters > FLOAT32_MIN_PARAMETERS else torch.float64
