"""Where a second intra-op thread pays: one thread against torch's default,
by model size and rows per call, for inference and for a training step, on
a quiet and on a busy machine.

Each cell times one operation of an MLP as the package runs it (float64 up
to 10,000 parameters, float32 above, ``sklearn_zopg._precision``): a
forward pass without gradients over ``rows`` rows (what ``predict`` and
``predict_proba`` do, in chunks of at most 8,192 rows), and a cross-entropy
training step (forward, backward, Adam) on a batch of ``rows`` rows (the
work of a PG step, and of the forwards of a ZO step). "busy": another
process keeps every core busy with torch matrix products on as many threads
as there are cores, as another job on a shared machine. Best of the calls
made in 0.3 s (at least 3) per cell.

Run: ``python benchmarks/thread_rule.py``.
"""

import os
import time

import torch
from _load import machine_loads

from sklearn_zopg._modules import MLP
from sklearn_zopg._precision import FLOAT32_MIN_PARAMETERS

# (features, hidden layers): about 1.4k, 13k, 72k, 0.8M and 4.2M parameters
MODELS = [
    (20, (64,)),
    (100, (128,)),
    (20, (256, 256)),
    (1000, (512, 512)),
    (65536, (64,)),
]
ROWS = [1, 64, 256, 2048, 8192]


def _best_ms(fn, budget=0.3, least=3):
    times, spent = [], 0.0
    while len(times) < least or spent < budget:
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        spent += elapsed
        if spent > 20 * budget:  # a busy cell: enough
            break
    return 1e3 * min(times)


def _operations(n_features, hidden, rows):
    torch.manual_seed(0)
    module = MLP(n_features, 2, hidden)
    n_parameters = sum(p.numel() for p in module.parameters())
    dtype = torch.float32 if n_parameters > FLOAT32_MIN_PARAMETERS else torch.float64
    module = module.to(dtype)
    X = torch.randn(rows, n_features, dtype=dtype)
    y = torch.randint(0, 2, (rows,))
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    loss = torch.nn.CrossEntropyLoss()

    def forward():
        with torch.no_grad():
            module.eval()(X)

    def step():
        module.train()
        optimizer.zero_grad()
        loss(module(X), y).backward()
        optimizer.step()

    return n_parameters, {"inference": forward, "training step": step}


def _table(load, default):
    print(f"\n{load} machine\n")
    print(
        "| parameters | rows | operation | rows x parameters | "
        f"{default} threads (ms) | 1 thread (ms) | {default} / 1 |"
    )
    print("|---|---|---|---|---|---|---|")
    for n_features, hidden in MODELS:
        for rows in ROWS:
            n_parameters, operations = _operations(n_features, hidden, rows)
            for name, fn in operations.items():
                if name == "training step" and rows > 2048:
                    continue  # batches are at most a few thousand rows
                cells = {}
                for threads in (default, 1):
                    torch.set_num_threads(threads)
                    fn()  # warm up
                    cells[threads] = _best_ms(fn)
                torch.set_num_threads(default)
                print(
                    f"| {n_parameters:,} | {rows:,} | {name} | "
                    f"{rows * n_parameters:.1e} | {cells[default]:.3f} | "
                    f"{cells[1]:.3f} | {cells[default] / cells[1]:.2f} |",
                    flush=True,
                )


def main():
    default = torch.get_num_threads()
    print(f"cores: {os.cpu_count()}, torch default intra-op threads: {default}")
    for load, busy in machine_loads():
        with busy:
            _table(load, default)


if __name__ == "__main__":
    main()
