"""One intra-op thread for small CPU fits, scoped to the fit.

torch runs each operation on as many threads as there are cores. For a
small model every operation is tiny, and on a machine busy with other jobs
those threads wait for each other: ``benchmarks/threads.py`` measured a
64-unit MLP fit 2.6-3.3x slower with torch's default threads than with one
while another process kept both cores busy, and equal (one thread 1.05x
faster) on a quiet machine. Larger models gain from threads on a quiet
machine (a (256, 256) MLP: one thread 0.76-0.98x), so they keep torch's
setting.

``torch.set_num_threads`` acts on the calling thread in torch's OpenMP
builds (a thread started later inherits the main thread's setting): each
thread therefore saves and restores its own count, and fits nested in one
thread (a fit inside a callback, say) restore it when the outermost ends.
Fits overlapping in several threads each leave their thread as they found
it, whichever ends first.
"""

import contextlib
import threading

import torch

__all__ = ["SINGLE_THREAD_MAX_PARAMETERS", "fit_threads"]

# Models with at most this many parameters fit on one intra-op thread.
SINGLE_THREAD_MAX_PARAMETERS = 10_000

# Per thread: how many fits are open in it, and its count before the first.
_state = threading.local()


@contextlib.contextmanager
def _one_thread():
    depth = getattr(_state, "depth", 0)
    if depth == 0:
        _state.saved = torch.get_num_threads()
        torch.set_num_threads(1)
    _state.depth = depth + 1
    try:
        yield
    finally:
        _state.depth -= 1
        if _state.depth == 0:
            torch.set_num_threads(_state.saved)


def fit_threads(module, device):
    """Context for a fit: one intra-op thread for a small model on the CPU."""
    n_parameters = sum(p.numel() for p in module.parameters())
    if device.type == "cpu" and n_parameters <= SINGLE_THREAD_MAX_PARAMETERS:
        return _one_thread()
    return contextlib.nullcontext()
