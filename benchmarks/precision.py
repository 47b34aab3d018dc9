"""Training precision: float32 (the GPU's, and the CPU's above 10,000
parameters) against float64, side by side on the tasks of ``quality.py``.

For each task and seed (``_held_out``'s 50/50 stratified split): PG and ZO
with defaults, fitted once with the module in float32 and once in float64
(the size rule moved so that every model trains in the dtype), test score
and fit time; plus one train step of a (256, 256) MLP and ZO's batched forward
of 32 perturbed models in both dtypes. The rewards' arithmetic is float64
in both (counts, sums and ranks equal sklearn's).

Goal: float32 is faster and its test scores equal float64's within the
seeds' spread.

Run: ``python benchmarks/precision.py [n_seeds] [task title part]``.
"""

import sys
import time

import numpy as np
import torch
from _held_out import held_out
from quality import tasks
from sklearn.metrics import get_scorer

from sklearn_zopg import PGClassifier, ZOClassifier, _precision
from sklearn_zopg._modules import MLP
from sklearn_zopg.rewards import make_reward
from sklearn_zopg.zo._directions import Directions
from sklearn_zopg.zo._perturbed import PerturbedModule, select_parameters

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def with_dtype(dtype, fn):
    """``fn()`` with every CPU model trained in ``dtype`` (the size rule of
    ``_precision`` moved to 0 or infinity parameters)."""
    saved = _precision.FLOAT32_MIN_PARAMETERS
    _precision.FLOAT32_MIN_PARAMETERS = 0 if dtype == torch.float32 else float("inf")
    try:
        return fn()
    finally:
        _precision.FLOAT32_MIN_PARAMETERS = saved


def quality_table(n_seeds, only):
    print("| task | method | float32 score | float64 score | fit time 32 / 64 |")
    print("|---|---|---|---|---|")
    for title, scoring, X, y in tasks():
        if only not in title:
            continue
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
        for name, cls in (("PG", PGClassifier), ("ZO", ZOClassifier)):
            if name == "PG" and make_reward(scoring).needs_scores:
                continue
            results = {}
            for label, dtype in DTYPES.items():
                results[label] = with_dtype(
                    dtype,
                    lambda: held_out(
                        lambda seed, n: cls(scoring=scoring, random_state=seed),
                        X,
                        y,
                        scorer,
                        range(n_seeds),
                    ),
                )
            (s32, t32), (s64, t64) = results["float32"], results["float64"]
            print(
                f"| {title} | {name} | {np.mean(s32):.3f} ± {np.std(s32):.3f} | "
                f"{np.mean(s64):.3f} ± {np.std(s64):.3f} | "
                f"{np.mean(t32) / np.mean(t64):.2f}× |",
                flush=True,
            )


def best_ms(fn, repeats=20):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * min(times)


def step_table():
    print("\n| (256, 256) MLP, batch 256 | float32 (ms) | float64 (ms) | 64 / 32 |")
    print("|---|---|---|---|")
    rows = {}
    for label, dtype in DTYPES.items():
        torch.manual_seed(0)
        module = MLP(20, 2, (256, 256)).to(dtype)
        X = torch.randn(256, 20, dtype=dtype)
        y = torch.randint(0, 2, (256,))
        optimizer = torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)

        def step():
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(module(X), y).backward()
            optimizer.step()

        params = select_parameters(module, None)
        directions = Directions("gaussian", 32, list(params.values()))
        perturbed = PerturbedModule(module, params, "loop")

        def forwards():
            with torch.no_grad():
                perturbed.logits(X, directions, 0.1)

        rows[label] = (best_ms(step), best_ms(forwards, 10))
    names = ("cross-entropy train step", "32 perturbed forwards (ZO)")
    for i, name in enumerate(names):
        a, b = rows["float32"][i], rows["float64"][i]
        print(f"| {name} | {a:.2f} | {b:.2f} | {b / a:.2f}× |")


if __name__ == "__main__":
    args = sys.argv[1:]
    n_seeds = int(args[0]) if args else 5
    only = args[1] if len(args) > 1 else ""
    print(
        f"Machine: torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"mean ± std test score over {n_seeds} seeds\n"
    )
    quality_table(n_seeds, only)
    step_table()
