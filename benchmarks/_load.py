"""A quiet and a busy machine, in turn: the loads the thread benchmarks
measure under. "busy": another process keeps every core busy with torch
matrix products on as many threads as there are cores, as another job on a
shared machine does."""

import contextlib
import multiprocessing as mp
import os
import time

import torch

__all__ = ["machine_loads"]


def _burn(stop):
    torch.set_num_threads(os.cpu_count())
    a = torch.randn(512, 512)
    while not stop.is_set():
        a = torch.tanh(a @ a)


@contextlib.contextmanager
def _load(n_burners):
    # spawn, not fork: a forked child of a process that has used torch's
    # OpenMP threads hangs at its first parallel region.
    context = mp.get_context("spawn")
    stop = context.Event()
    burners = [context.Process(target=_burn, args=(stop,)) for _ in range(n_burners)]
    for burner in burners:
        burner.start()
    time.sleep(3.0 if burners else 0)  # spawned children import torch first
    try:
        yield
    finally:
        stop.set()
        for burner in burners:
            burner.join()


def machine_loads():
    """``("quiet", context)`` then ``("busy", context)``: enter the context
    to measure under that load."""
    yield "quiet", _load(0)
    yield "busy", _load(1)
