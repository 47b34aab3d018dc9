"""One intra-op thread for CPU calls of little work, scoped to the call.

torch runs each operation on as many threads as there are cores. Where an
operation is small, those threads wait for each other at every parallel
region, and on a machine busy with other jobs a waiting thread is
descheduled: ``benchmarks/thread_rule.py`` measured single operations of
MLPs (a forward pass over the rows of a call, a training step on a batch)
up to 100x slower with torch's two threads than with one on a busy 2-core
machine, wherever the work per call, rows x parameters, stayed below about
1e9; above it two threads were at worst 1.16x slower there. On a quiet
machine two threads gain 1.2-2x from about 1e7 on. The stalls cost far
more than the gain, so calls of at most ``SINGLE_THREAD_MAX_WORK`` rows x
parameters run on one thread: fits (rows: the batch) and the inference of
``predict``, ``predict_proba``, ``decision_function`` and ``score`` (rows:
the rows predicted at once). A sparse input counts the parameters of the
layers that read it by the input's density (a TF-IDF first layer reads
the stored entries only).

A count set by the user is respected: where ``OMP_NUM_THREADS`` was set
when this module was imported, or ``torch.set_num_threads`` gave a count
other than torch's at that time, the calls keep it.

``torch.set_num_threads`` acts on the calling thread in torch's OpenMP
builds, and a thread started later takes the count last set. Each thread
therefore sets its own count, and every scope restores the count the
process had before the first of the scopes open at once: fits nested in
one thread or overlapping in several leave every thread, and threads
started afterwards, with the process's count.
"""

import contextlib
import os
import threading

import torch

__all__ = ["SINGLE_THREAD_MAX_WORK", "call_threads", "effective_parameters"]

# Calls of at most this many rows x parameters run on one intra-op thread.
SINGLE_THREAD_MAX_WORK = 1e9

# torch's count when the package was imported: another count is the user's,
# and so is a count set by OMP_NUM_THREADS then (read once: dask's in-process
# nannies set OMP_NUM_THREADS=1 in os.environ later, without changing torch).
_PROCESS_THREADS = torch.get_num_threads()
_ENVIRONMENT_THREADS = "OMP_NUM_THREADS" in os.environ
# The scopes open in the process, and the count before the first of them.
_lock = threading.Lock()
_open = {"scopes": 0, "saved": _PROCESS_THREADS}
# Per thread: how many scopes are open in it.
_state = threading.local()


def _user_set_threads():
    return _ENVIRONMENT_THREADS or (
        _open["scopes"] == 0 and torch.get_num_threads() != _PROCESS_THREADS
    )


@contextlib.contextmanager
def _one_thread():
    with _lock:
        if _open["scopes"] == 0:
            _open["saved"] = torch.get_num_threads()
        _open["scopes"] += 1
        restore = _open["saved"]
    depth = getattr(_state, "depth", 0)
    if depth == 0:
        torch.set_num_threads(1)
    _state.depth = depth + 1
    try:
        yield
    finally:
        _state.depth -= 1
        if _state.depth == 0:
            torch.set_num_threads(restore)
        with _lock:
            _open["scopes"] -= 1


def effective_parameters(module, n_features=None, density=1.0):
    """The parameters a call's rows multiply: all of them, those of the
    tensors with an ``n_features`` axis (the layers reading the input)
    counted by the input's ``density``."""
    total = 0.0
    for param in module.parameters():
        size = param.numel()
        if density < 1.0 and n_features is not None and n_features in param.shape:
            size *= density
        total += size
    return total


def call_threads(module, device, rows, n_features=None, density=1.0):
    """Context for a call of ``rows`` rows at once (a fit's batch, or the
    rows predicted together): one intra-op thread for a call of little work
    on the CPU, unless the user set the count."""
    work = rows * effective_parameters(module, n_features, density)
    if (
        device.type == "cpu"
        and work <= SINGLE_THREAD_MAX_WORK
        and (getattr(_state, "depth", 0) > 0 or not _user_set_threads())
    ):
        return _one_thread()
    return contextlib.nullcontext()
