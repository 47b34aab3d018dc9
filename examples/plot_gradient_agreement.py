"""
Different roads, same place: ZO vs policy gradient
==================================================

The post's main result: the zeroth-order gradient of the *argmax* accuracy,
smoothed by parameter perturbations of scale epsilon, approaches the policy
gradient of the softmax(f/T) policy. This script measures the cosine between
the ZO estimate, the REINFORCE estimate and the exact policy gradient on a
small fitted model, over a grid of epsilon and T, and saves a two-panel plot.

Run: ``python examples/plot_gradient_agreement.py [output.png]`` (the PNG is
written only when a path is given).
"""

import sys

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification

from sklearn_zopg import PGClassifier
from sklearn_zopg.diagnostics import gradient_agreement

EPSILONS = [0.01, 0.03, 0.1, 0.3, 1.0]
TEMPERATURES = [0.1, 0.3, 1.0, 3.0]


def main(path=None):
    X, y = make_classification(n_samples=256, n_features=5, random_state=0)
    est = PGClassifier(max_epochs=2, hidden_layer_sizes=(8,), random_state=0)
    est.fit(X, y)

    by_eps = [
        gradient_agreement(est, X, y, epsilon=e, temperature=0.3) for e in EPSILONS
    ]
    by_temp = [
        gradient_agreement(est, X, y, epsilon=0.1, temperature=t) for t in TEMPERATURES
    ]

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for key, label in [
        ("cos_zo_exact", "ZO vs exact PG"),
        ("cos_pg_exact", "REINFORCE vs exact PG"),
        ("cos_zo_pg", "ZO vs REINFORCE"),
    ]:
        left.plot(EPSILONS, [r[key] for r in by_eps], marker="o", label=label)
        right.plot(TEMPERATURES, [r[key] for r in by_temp], marker="o", label=label)
    left.set(xscale="log", xlabel="epsilon (T = 0.3)", ylabel="cosine similarity")
    right.set(xscale="log", xlabel="temperature T (epsilon = 0.1)")
    left.legend()
    fig.suptitle("Zeroth-order and policy gradients of accuracy point the same way")
    fig.tight_layout()
    if path:
        fig.savefig(path, dpi=100)
        print(f"saved {path}")
    print("epsilon  cos(ZO, exact)  cos(PG, exact)")
    for e, r in zip(EPSILONS, by_eps):
        print(f"{e:<8} {r['cos_zo_exact']:>14.3f} {r['cos_pg_exact']:>15.3f}")
    print("T        cos(ZO, exact)  cos(PG, exact)")
    for t, r in zip(TEMPERATURES, by_temp):
        print(f"{t:<8} {r['cos_zo_exact']:>14.3f} {r['cos_pg_exact']:>15.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
