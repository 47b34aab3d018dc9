"""Speed and memory on sparse input, side by side in one run.

Prints:
1. one forward and backward pass of a first layer (64 units, float64, 256
   rows) on a sparse batch: ``SparseInputLinear`` (the default module's
   first layer) against torch's ``F.linear`` on a CSR tensor, ``torch.sparse.mm``
   on a COO tensor, ``EmbeddingBag`` (weight in its own (features, units)
   layout, not ``nn.Linear``'s) and ``F.linear`` on the densified batch;
2. fit time of PG and ZO (defaults, ``max_epochs=E``) against
   ``MLPClassifier`` of the same width, epochs and batch size
   (``max_iter=E``, ``tol=0``, ``n_iter_no_change=E``: it runs all E epochs)
   on the same TF-IDF features; and each fit on the sparse matrix against
   the same fit on it densified;
3. peak RSS (fresh process) of a PG and a ZO fit on 100,000 documents hashed
   to 2^18 features.

Goals: fit time ≤ 2x ``MLPClassifier``; sparse fit ≤ 1x the densified fit
(density ≤ 1%); peak RSS under 2 GB.

Run: ``python benchmarks/sparse_speed.py [--tables 123]``.
"""

import argparse
import platform
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp
import torch
from _text_corpus import make_corpus
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neural_network import MLPClassifier

from sklearn_zopg import PGClassifier, SparseInputLinear, ZOClassifier
from sklearn_zopg._sparse import csr_tensor


def hashed_rows(n, n_features, per_row, seed=0):
    rng = np.random.default_rng(seed)
    columns = rng.integers(0, n_features, size=(n, per_row))
    X = sp.csr_matrix(
        (
            rng.random(n * per_row),
            columns.ravel(),
            np.arange(0, n * per_row + 1, per_row),
        ),
        shape=(n, n_features),
    )
    X.sum_duplicates()
    return X


def best_ms(fn, repeats=7):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def layer_table(units=64, n=256):
    print("\n1. First layer, forward + backward on a sparse batch (ms, best of 7)\n")
    print(
        "| features | stored per row | SparseInputLinear | F.linear(CSR) | "
        "sparse.mm(COO) | EmbeddingBag (own layout) | dense F.linear |"
    )
    print("|---|---|---|---|---|---|---|")
    for n_features, per_row in ((10_000, 40), (2**18, 100)):
        X = hashed_rows(n, n_features, per_row)
        csr = csr_tensor(X, dtype=torch.float64)
        coo = csr.to_sparse_coo()
        dense = csr.to_dense()
        layer = SparseInputLinear(n_features, units).double()
        table = torch.nn.EmbeddingBag(n_features, units, mode="sum").double()
        col, offsets = csr.col_indices(), csr.crow_indices()[:-1]

        def step(forward, params):
            for p in params:
                p.grad = None
            forward().square().sum().backward()

        runs = [
            (lambda: layer(csr), layer.parameters()),
            (
                lambda: torch.nn.functional.linear(csr, layer.weight, layer.bias),
                layer.parameters(),
            ),
            (
                lambda: torch.sparse.mm(coo, layer.weight.T) + layer.bias,
                layer.parameters(),
            ),
            (
                lambda: table(col, offsets, per_sample_weights=csr.values()),
                table.parameters(),
            ),
            (
                lambda: torch.nn.functional.linear(dense, layer.weight, layer.bias),
                layer.parameters(),
            ),
        ]
        cells = [f"{best_ms(lambda f=f, p=list(p): step(f, p)):.1f}" for f, p in runs]
        print(f"| {n_features:,} | {per_row} | " + " | ".join(cells) + " |")


def fit_table(epochs=20, n_documents=6000):
    docs, y = make_corpus(n_documents, [0.5, 0.3, 0.2], random_state=0)
    X = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(docs)
    density = X.nnz / np.prod(X.shape)
    print(
        f"\n2. Fit time, {X.shape[0]}x{X.shape[1]} TF-IDF features "
        f"(density {density:.2%}), {epochs} epochs, batch 256, 64 units (s)\n"
    )
    print(
        "| method | sparse X | densified X | sparse / densified | "
        "/ MLPClassifier (sparse) |"
    )
    print("|---|---|---|---|---|")
    dense = X.toarray()
    makers = {
        "MLPClassifier": lambda: MLPClassifier(
            (64,),
            max_iter=epochs,
            tol=0,
            n_iter_no_change=epochs,
            batch_size=256,
            random_state=0,
        ),
        "PGClassifier": lambda: PGClassifier(
            scoring="f1_macro", max_epochs=epochs, random_state=0
        ),
        "ZOClassifier": lambda: ZOClassifier(
            scoring="f1_macro", max_epochs=epochs, random_state=0
        ),
    }
    reference = None
    for name, make in makers.items():
        times = []
        for data in (X, dense):
            start = time.perf_counter()
            make().fit(data, y)
            times.append(time.perf_counter() - start)
        reference = reference or times[0]
        print(
            f"| {name} | {times[0]:.2f} | {times[1]:.2f} | "
            f"{times[0] / times[1]:.2f} | {times[0] / reference:.2f} |"
        )


PEAK_SCRIPT = """
import sys
def peak_rss():  # bytes: VmHWM is this process's own (ru_maxrss keeps a fork's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) * 1024
sys.path.insert(0, "benchmarks")
from sparse_speed import hashed_rows
import sklearn_zopg
X = hashed_rows(100_000, 2**18, 100)
y = (X[:, : 2**17].sum(1).A1 > X[:, 2**17 :].sum(1).A1).astype(int)
est = getattr(sklearn_zopg, sys.argv[1])(
    max_epochs=1, surrogate_epochs=1, random_state=0
)
est.fit(X, y).predict(X)
print(peak_rss() / 2**30)
"""


def memory_table():
    print(
        "\n3. Peak RSS, 100,000 documents x 2^18 hashed features, "
        "100 stored per row, defaults but 1 surrogate and 1 score epoch (GiB)\n"
    )
    print("| method | peak RSS | dense X would take |")
    print("|---|---|---|")
    for name in ("PGClassifier", "ZOClassifier"):
        out = subprocess.run(
            [sys.executable, "-c", PEAK_SCRIPT, name],
            capture_output=True,
            text=True,
            check=True,
        )
        print(
            f"| {name} | {float(out.stdout.split()[-1]):.2f} | "
            f"{100_000 * 2**18 * 8 / 2**30:.0f} |"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", default="123")
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads"
    )
    if "1" in args.tables:
        layer_table()
    if "2" in args.tables:
        fit_table()
    if "3" in args.tables:
        memory_table()


if __name__ == "__main__":
    main()
