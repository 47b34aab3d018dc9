"""Host synchronizations per ZO step on a CUDA device.

Fits ``ZOClassifier`` (F1 and neg_log_loss, score phase only) on the GPU with
``torch.cuda.set_sync_debug_mode("warn")`` and counts the synchronizing
operations per training step. Goal: one for a count-based scorer (the
step's single fetch of its checks and recorded numbers); skorch's own
``loss.item()`` and the per-epoch parameter check come on top. A scorer of
probabilities copies the logits to the host: one more.

Run: ``python benchmarks/gpu_syncs.py`` (needs CUDA; part of gpu_check.sh).
"""

import warnings
from collections import Counter

import numpy as np
import torch
from sklearn.datasets import make_classification

from sklearn_zopg import ZOClassifier


def syncs_per_step(scoring, n=2048, batch_size=256, epochs=2):
    X, y = make_classification(n, 20, weights=[0.8], random_state=0)
    X = X.astype(np.float32)
    est = ZOClassifier(
        scoring=scoring,
        device="cuda",
        surrogate_epochs=0,
        max_epochs=epochs,
        batch_size=batch_size,
        random_state=0,
    )
    est.fit(X, y)  # warm-up: CUDA context, kernels
    where = Counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        try:
            est.fit(X, y)
        finally:
            torch.cuda.set_sync_debug_mode(0)
    for w in caught:
        if "synchroniz" in str(w.message):
            where[f"{w.filename.split('site-packages/')[-1]}:{w.lineno}"] += 1
    steps = epochs * -(-n // batch_size)
    return sum(where.values()) / steps, where


if __name__ == "__main__":
    print(torch.cuda.get_device_name(0))
    for scoring in ("f1", "neg_log_loss"):
        per_step, where = syncs_per_step(scoring)
        print(f"\n{scoring}: {per_step:.1f} synchronizations per step (fit total)")
        for place, count in where.most_common(12):
            print(f"  {count:5d}  {place}")
