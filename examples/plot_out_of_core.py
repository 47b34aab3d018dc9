"""
Training on data larger than memory
===================================

``partial_fit`` trains one pass over the rows it is given, so a model can
learn from data read chunk by chunk from disk, never held in memory whole.
Here 400,000 rows live in a ``np.memmap`` file; a :class:`PGClassifier`
trained on the F1 of a rare class (8% positives) reads them 50,000 at a
time, against the out-of-core classifier a user picks today,
``SGDClassifier(loss="log_loss")`` (cross-entropy) fed the same chunks.

The same loop runs on a dask cluster through dask-ml's ``Incremental``
wrapper (see the user guide, "Scaling out").
"""

import resource
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import f1_score

from sklearn_zopg import PGClassifier

N_ROWS, N_FEATURES, CHUNK = 400_000, 32, 50_000


def peak_rss_mib():
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# %%
# Write the data to disk chunk by chunk
# -------------------------------------
# A rare class decided by a nonlinear rule of a few features, plus noise.
rng = np.random.default_rng(0)
weights = rng.normal(size=(N_FEATURES, 4)) / np.sqrt(N_FEATURES)


def labels(X):
    hidden = np.tanh(X @ weights)
    logit = 2.5 * hidden[:, 0] - 2.0 * hidden[:, 1] * hidden[:, 2] - 2.4
    return (logit + 0.5 * rng.normal(size=len(X)) > 0).astype(np.int64)


folder = Path(tempfile.mkdtemp())
X_disk = np.memmap(
    folder / "X.dat", dtype=np.float32, mode="w+", shape=(N_ROWS, N_FEATURES)
)
y_disk = np.memmap(folder / "y.dat", dtype=np.int64, mode="w+", shape=(N_ROWS,))
for start in range(0, N_ROWS, CHUNK):
    X_chunk = rng.normal(size=(CHUNK, N_FEATURES)).astype(np.float32)
    X_disk[start : start + CHUNK], y_disk[start : start + CHUNK] = (
        X_chunk,
        labels(X_chunk),
    )
X_disk.flush()
y_disk.flush()
X_test = rng.normal(size=(20_000, N_FEATURES)).astype(np.float32)
y_test = labels(X_test)
print(f"{X_disk.nbytes / 2**20:.0f} MiB on disk, {y_disk.mean():.1%} positives")

# %%
# Train chunk by chunk
# --------------------
# Each chunk is read from the file, trained on, and dropped: two passes, and
# the process's peak memory recorded after each chunk.
pg = PGClassifier(scoring="f1", batch_size=1024, random_state=0)
sgd = SGDClassifier(loss="log_loss", random_state=0)
curve = {"PGClassifier (F1)": [], "SGDClassifier (cross-entropy)": []}
peaks = []
for _ in range(2):
    for start in range(0, N_ROWS, CHUNK):
        X_chunk = np.asarray(X_disk[start : start + CHUNK])
        y_chunk = np.asarray(y_disk[start : start + CHUNK])
        for name, model in zip(curve, (pg, sgd)):
            model.partial_fit(X_chunk, y_chunk, classes=[0, 1])
            curve[name].append(f1_score(y_test, model.predict(X_test)))
        peaks.append(peak_rss_mib())
print(
    f"peak memory after the first chunk {peaks[0]:.0f} MiB, after "
    f"{2 * N_ROWS:,} rows {peaks[-1]:.0f} MiB: it does not grow with the data"
)
for name, scores in curve.items():
    print(f"{name}: test F1 {scores[-1]:.3f}")

# %%
# The test F1 after each chunk
# ----------------------------
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, scores in curve.items():
    ax.plot(np.arange(1, len(scores) + 1) * CHUNK / 1000, scores, label=name)
ax.set_xlabel("rows trained on (thousands)")
ax.set_ylabel("test F1 of the rare class")
ax.legend()
fig.tight_layout()
plt.show()
