"""Speed and memory benchmark, side by side in one run.

Prints:
1. fit time of PGClassifier / ZOClassifier vs skorch's NeuralNetClassifier
   with cross-entropy: same MLP, data, epochs and batch size (skorch both in
   its usual float32 and in float64, our CPU precision);
2. ZO step time (one training step, measured alone) vs the time of its K+1
   forwards done the faster way, small and larger MLP;
3. batched (vmap) vs looped evaluation of K perturbed models, small and large
   MLP;
4. peak memory (max RSS of a fresh process) of a ZO fit on a 4M-parameter MLP
   with and without ``memory_efficient``;
5. ZO step time with K=32 vs an ordinary cross-entropy training step of the
   same module (the GPU goal: at most 2x);
6. PG and ZO fit time / skorch cross-entropy fit time at 2, 10 and 100
   classes, for accuracy, balanced accuracy, macro F1 and MCC;
7. peak memory of a ZO fit against K (16 to 10,000 directions);
8. the same on the loop path (a model beyond 20,000 perturbed numbers);
9. multilabel fit time of PG and ZO / a skorch per-label binary
   cross-entropy fit, 20 labels;
10. PG and ZO fit time of a (256, 256) MLP / a skorch cross-entropy fit;
11. what tuning the decision offsets adds to a ZO fit: the same fit with
    ``decision_offsets="auto"`` and ``None`` (goal: at most half the rest);
12. inference (``predict_proba``) with the package's thread rule against
    torch's default threads, by model and rows (``thread_rule.py`` has the
    busy machine);
13. default fits of PG and ZO on a 10,000 x 50 table against
    ``TunedThresholdClassifierCV(HistGradientBoostingClassifier())`` tuned
    for the same score (goal: at most 3x), and with the MLP's input map
    (its cost);
14. fits on per-row costs routed as metadata (``make_cost_scorer`` with
    ``(n, C, C)`` matrices; empulse's ``savings_score`` with its four cost
    arrays) against the same fit on MCC (goal: at most 1.5x);
15. ``TunedDecisionClassifierCV``'s tuning of the offsets (its search
    alone) against one fit of the classifier it wraps, 10,000 rows, 10
    classes (goal: at most 0.5x).

Run: ``python benchmarks/speed.py [--device cuda] [--tables 1,2,...,15]``.
"""

import argparse
import platform
import subprocess
import sys
import time

import numpy as np
import torch
from _reference import (
    as_skorch_input,
    cross_entropy_net,
    imbalanced_problem,
)

from sklearn_zopg import PGClassifier, ZOClassifier
from sklearn_zopg._modules import MLP
from sklearn_zopg.zo._directions import Directions
from sklearn_zopg.zo._perturbed import PerturbedModule, select_parameters

EPOCHS, BATCH, K = 100, 256, 16
WITH_MAP = {"module": MLP, "module_params": {"input_quantiles": 64}}


def best_of(fn, repeats=7):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def fit_table(X, y, device):
    dtype_ours = "float64" if device == "cpu" else "float32"
    rows = []

    def skorch_fit(double):
        dtype = torch.float64 if double else torch.float32
        net = cross_entropy_net(
            X.shape[1], 2, 0, dtype=dtype, device=device, max_epochs=EPOCHS
        )
        if double:
            return lambda: net.fit(X.astype(np.float64), y.astype(np.int64))
        return lambda: net.fit(*as_skorch_input(X, y))

    ce32 = best_of(skorch_fit(False))
    rows.append(("skorch cross-entropy, float32", ce32))
    if device == "cpu":
        rows.append(("skorch cross-entropy, float64", best_of(skorch_fit(True))))
    makers = {
        f"PG f1, credit=sample ({dtype_ours})": PGClassifier(scoring="f1"),
        f"PG f1, credit=batch ({dtype_ours})": PGClassifier(
            scoring="f1", credit="batch"
        ),
        f"PG accuracy, exact ({dtype_ours})": PGClassifier(n_samples="exact"),
        f"ZO f1, defaults ({dtype_ours})": ZOClassifier(scoring="f1"),
        f"ZO f1, all parameters ({dtype_ours})": ZOClassifier(
            scoring="f1", perturb=None, surrogate_epochs=0
        ),
    }
    for name, est in makers.items():
        est.set_params(
            random_state=0, max_epochs=EPOCHS, batch_size=BATCH, device=device
        )
        rows.append((name, best_of(lambda: est.fit(X, y))))
    print(
        f"\n1. Fit time, {len(y)} rows x {X.shape[1]} features, MLP(64), "
        f"{EPOCHS} epochs, batch {BATCH}, K={K} ({device})\n"
    )
    print("| method | fit time (s) | / skorch float32 |")
    print("|---|---|---|")
    for name, t in rows:
        print(f"| {name} | {t:.2f} | {t / ce32:.2f}× |")


def forwards_of(pm, Xb, dirs):
    """The K+1 forwards of one ZO step: K perturbed models and the current one."""

    def forwards():
        with torch.no_grad():
            H = pm.features(Xb)
            pm.logits(H, dirs, 0.05)
            pm.tail(H)
        if Xb.is_cuda:
            torch.cuda.synchronize()

    return forwards


def zo_estimator(hidden, batch, perturb, n_samples, device):
    """The ZOClassifier whose training step tables 2 and 5 time (5 epochs)."""
    return ZOClassifier(
        scoring="f1",
        hidden_layer_sizes=hidden,
        perturb=perturb,
        n_samples=n_samples,
        surrogate_epochs=0,
        max_epochs=5,
        batch_size=batch,
        random_state=0,
        device=device,
    )


def zo_train_step(est, X, y):
    """One ZO training step (optimizer included) of the fitted ``est``'s net.

    The net's own ``train_step``: the step skorch runs in training (zero the
    gradients, the ZO estimate, weight decay, the optimizer's step). Returns
    ``(train_step, module, (X, y) tensors, params)``.
    """
    net = est.net_
    module = net.module_
    param = next(module.parameters())
    X_t = torch.as_tensor(X).to(param.device, param.dtype)
    y_t = torch.as_tensor(y).long().to(param.device)
    batch = (X_t[: est.batch_size], y_t[: est.batch_size])
    net.set_params(phase="score")

    def train_step():
        net.train_step(batch)
        if param.is_cuda:
            torch.cuda.synchronize()

    return train_step, module, (X_t, y_t), select_parameters(module, est.perturb)


def cross_entropy_train_step(module, data, batch):
    """One ordinary training step of ``module``: forward, backward, Adam."""
    optimizer = torch.optim.Adam(module.parameters(), lr=0.003)
    Xb, yb = data[0][:batch], data[1][:batch]

    def train_step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(module(Xb), yb).backward()
        optimizer.step()
        if Xb.is_cuda:
            torch.cuda.synchronize()

    return train_step


def interleaved_best_ms(runs, rounds=7, calls=5):
    """Best time per call (ms) of each run, measured in interleaved rounds.

    Drift on a shared machine then hits all runs alike.
    """
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, run in runs.items():
            t = best_of(lambda: [run() for _ in range(calls)], repeats=1) / calls
            best[name] = min(best[name], t * 1e3)
    return best


def step_vs_forwards(X, y, device):
    print(
        f"\n2. ZO step time vs its K+1 forwards, K={K} ({device}): the net's "
        "train_step (zero the gradients, directions, K+1 forwards, scoring, "
        "estimate, weight decay, optimizer step), without the history and "
        "callbacks of each batch\n"
    )
    print(
        "| MLP | batch | perturbed | auto mode | step (ms) | "
        "K+1 forwards, fastest (ms) | ratio | fit time / steps (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for hidden, batch in [((64,), 256), ((256, 256), 1024)]:
        for perturb in (None, "last"):
            est = zo_estimator(hidden, batch, perturb, K, device)
            steps = est.max_epochs * -(-len(y) // batch)
            fit_ms = best_of(lambda: est.fit(X, y), repeats=3) / steps * 1e3
            train_step, module, data, params = zo_train_step(est, X, y)
            Xb = data[0][:batch]
            dirs = Directions("gaussian", K, list(params.values()), antithetic=True)
            runs = {"step": train_step}
            for mode in ("stacked", "vmap", "loop"):
                pm = PerturbedModule(module, params, mode)
                runs[mode] = forwards_of(pm, Xb, dirs)
            timings = interleaved_best_ms(runs)
            step_ms = timings.pop("step")
            fastest = min(timings, key=timings.get)
            label = "all" if perturb is None else "output layer"
            auto = PerturbedModule(module, params).mode
            print(
                f"| {hidden} | {batch} | {label} | {auto} | {step_ms:.2f} | "
                f"{timings[fastest]:.2f} ({fastest}) | "
                f"{step_ms / timings[fastest]:.2f}× | {fit_ms:.2f} |"
            )


def step_vs_cross_entropy(X, y, device, n_samples=32):
    print(
        f"\n5. ZO step (K={n_samples}) vs a cross-entropy step (forward, "
        f"backward, Adam) of the same module on the same batch ({device})\n"
    )
    print(
        "| MLP | batch | perturbed | ZO step (ms) | cross-entropy step (ms) | ratio |"
    )
    print("|---|---|---|---|---|---|")
    for hidden, batch in [((64,), 256), ((256, 256), 1024)]:
        for perturb in ("last", None):
            est = zo_estimator(hidden, batch, perturb, n_samples, device).fit(X, y)
            zo_step, module, data, _ = zo_train_step(est, X, y)
            runs = {"zo": zo_step, "ce": cross_entropy_train_step(module, data, batch)}
            timings = interleaved_best_ms(runs)
            label = "all" if perturb is None else "output layer"
            print(
                f"| {hidden} | {batch} | {label} | {timings['zo']:.2f} | "
                f"{timings['ce']:.2f} | {timings['zo'] / timings['ce']:.2f}× |"
            )


def batched_vs_loop(device):
    print(
        f"\n3. Batched vs looped evaluation of K={32} perturbed models, "
        f"batch {BATCH} ({device})\n"
    )
    print(
        "| MLP | parameters | stacked (ms) | vmap (ms) | loop (ms) | "
        "stacked / loop speed-up | vmap / loop speed-up |"
    )
    print("|---|---|---|---|---|---|---|")
    dtype = torch.float64 if device == "cpu" else torch.float32
    for hidden in [(64,), (256, 256)]:
        module = MLP(20, 2, hidden).to(device=device, dtype=dtype)
        params = select_parameters(module, None)
        d = sum(p.numel() for p in params.values())
        X = torch.randn(BATCH, 20, device=device, dtype=dtype)
        dirs = Directions("gaussian", 32, list(params.values()))
        times = {}
        for mode in ("stacked", "vmap", "loop"):
            pm = PerturbedModule(module, params, mode)

            def run():
                with torch.no_grad():
                    pm.logits(X, dirs, 0.05)
                if device == "cuda":
                    torch.cuda.synchronize()

            times[mode] = best_of(lambda: [run() for _ in range(10)]) / 10 * 1e3
        print(
            f"| {hidden} | {d} | {times['stacked']:.2f} | {times['vmap']:.2f} | "
            f"{times['loop']:.2f} | {times['loop'] / times['stacked']:.2f}× | "
            f"{times['loop'] / times['vmap']:.2f}× |"
        )


_PEAK_RSS = """
import sys
def peak_rss():  # bytes: VmHWM is this process's own (ru_maxrss keeps a fork's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) * 1024
"""

MEMORY_CHILD = (
    _PEAK_RSS
    + """import numpy as np, torch
from sklearn_zopg import ZOClassifier
X = np.random.default_rng(0).normal(size=(512, 20)); y = (X[:, 0] > 0).astype(int)
base = peak_rss()
ZOClassifier(hidden_layer_sizes=(2048, 2048), perturb=None, surrogate_epochs=0,
             n_samples=16, max_epochs=1, batch_size=256, random_state=0,
             memory_efficient=sys.argv[1] == "1", device=sys.argv[2]).fit(X, y)
peak = peak_rss()
gpu = torch.cuda.max_memory_allocated() / 2**20 if sys.argv[2] == "cuda" else 0
print((peak - base) / 2**20, gpu)
"""
)


def memory_table(device):
    print(
        f"\n4. Peak memory of a ZO fit, MLP(2048, 2048) (4.2M parameters), K=16, "
        f"all parameters perturbed ({device})\n"
    )
    print("| memory_efficient | peak RSS growth (MiB) | peak CUDA memory (MiB) |")
    print("|---|---|---|")
    for flag in ("0", "1"):
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, flag, device],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        print(f"| {flag == '1'} | {float(out[0]):.0f} | {float(out[1]):.0f} |")


MEMORY_BY_K_CHILD = (
    _PEAK_RSS
    + """import time, numpy as np, torch
from sklearn_zopg import ZOClassifier
rng = np.random.default_rng(0)
X = rng.normal(size=(1000, 5)); y = (X[:, 0] > 0).astype(int)
hidden = tuple(int(w) for w in sys.argv[4].split(","))
base = peak_rss()
start = time.perf_counter()
ZOClassifier(hidden_layer_sizes=hidden, perturb=None, n_samples=int(sys.argv[1]),
             surrogate_epochs=0, max_epochs=1, batch_size=1000, random_state=0,
             memory_efficient=sys.argv[2] == "1", device=sys.argv[3]).fit(X, y)
peak = peak_rss()
print((peak - base) / 2**20, time.perf_counter() - start)
"""
)


def _memory_by_k_rows(device, hidden, ks):
    print("| K | memory_efficient | peak RSS growth (MiB) | fit time (s) |")
    print("|---|---|---|---|")
    for n_samples in ks:
        for flag in ("0", "1"):
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    MEMORY_BY_K_CHILD,
                    str(n_samples),
                    flag,
                    device,
                    ",".join(map(str, hidden)),
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            print(
                f"| {n_samples} | {flag == '1'} | {float(out[0]):.0f} | "
                f"{float(out[1]):.1f} |",
                flush=True,
            )


def memory_by_k_table(device):
    print(
        "\n7. Peak memory of a ZO fit against K: MLP(1024) on 5 features "
        "(8.2k parameters, all perturbed: the batched path), 1,000 rows in one "
        f"batch, one epoch ({device})\n"
    )
    _memory_by_k_rows(device, (1024,), (16, 100, 1000, 10_000))


def memory_by_k_loop_table(device):
    print(
        "\n8. Peak memory of a ZO fit against K on the loop path that "
        "batched='auto' picks on the CPU beyond 20,000 perturbed numbers: "
        "MLP(256, 256) on 5 features (68k parameters, all perturbed), 1,000 "
        f"rows in one batch, one epoch ({device})\n"
    )
    _memory_by_k_rows(device, (256, 256), (16, 100, 1000, 2000))


def many_classes_table(device, n_rows=20_000, epochs=2, repeats=3):
    """PG and ZO fit time / skorch CE fit time at 2, 10 and 100 classes.

    skorch's fit time moves by up to 40% between runs on a shared machine:
    it is timed best of ``2 * repeats``, before and after each class count's
    fits, and every fit of ours best of ``repeats``.
    """
    from sklearn.datasets import make_classification

    print(
        f"\n6. Fit time by number of classes, {n_rows} rows x 20 features, "
        f"MLP(64), {epochs} epochs, batch {BATCH}, K={K}; ZO without the "
        f"surrogate phase; best of {repeats} ({device})\n"
    )
    print(
        "| classes | scorer | skorch CE (s) | PG / CE | ZO output layer / CE "
        "| ZO, decision_offsets=None / CE |"
    )
    print("|---|---|---|---|---|---|")
    for C in (2, 10, 100):
        X, y = make_classification(
            n_rows,
            20,
            n_informative=10,
            n_classes=C,
            n_clusters_per_class=1,
            random_state=0,
        )
        net = cross_entropy_net(20, C, 0, device=device, max_epochs=epochs)
        X32, y64 = X.astype(np.float32), y.astype(np.int64)
        ce = best_of(lambda: net.fit(X32, y64), repeats=repeats)
        rows = []
        for scoring in (
            "accuracy",
            "balanced_accuracy",
            "f1_macro",
            "matthews_corrcoef",
        ):
            common = dict(scoring=scoring, max_epochs=epochs, random_state=0)
            common["device"] = device
            fits = [
                PGClassifier(**common),
                ZOClassifier(surrogate_epochs=0, **common),
                ZOClassifier(surrogate_epochs=0, decision_offsets=None, **common),
            ]
            rows.append(
                (scoring, [best_of(lambda: m.fit(X, y), repeats) for m in fits])
            )
        ce = min(ce, best_of(lambda: net.fit(X32, y64), repeats=repeats))
        for scoring, times in rows:
            ratios = " | ".join(f"{t / ce:.2f}×" for t in times)
            print(f"| {C} | {scoring} | {ce:.2f} | {ratios} |", flush=True)


def wide_fit_table(device, n_rows=20_000, epochs=2, repeats=3):
    """PG and ZO fit time / skorch CE fit time of a (256, 256) MLP (72k
    parameters, trained in float32), binary F1; skorch timed before and
    after, best of each."""
    X, y = imbalanced_problem(n_samples=n_rows)
    hidden = (256, 256)
    net = cross_entropy_net(
        X.shape[1], 2, 0, device=device, max_epochs=epochs, hidden_layer_sizes=hidden
    )
    X32, y64 = as_skorch_input(X, y)
    ce = best_of(lambda: net.fit(X32, y64), repeats=repeats)
    common = dict(
        scoring="f1",
        hidden_layer_sizes=hidden,
        max_epochs=epochs,
        batch_size=BATCH,
        random_state=0,
        device=device,
    )
    fits = {
        "PG f1": PGClassifier(**common),
        "PG f1, credit=batch": PGClassifier(credit="batch", **common),
        "ZO f1, output layer": ZOClassifier(surrogate_epochs=0, **common),
        "ZO f1, all parameters": ZOClassifier(
            surrogate_epochs=0, perturb=None, **common
        ),
        "ZO f1, all parameters, K=4": ZOClassifier(
            surrogate_epochs=0, perturb=None, n_samples=4, **common
        ),
    }
    times = {name: best_of(lambda: m.fit(X, y), repeats) for name, m in fits.items()}
    ce = min(ce, best_of(lambda: net.fit(X32, y64), repeats=repeats))
    print(
        f"\n10. Fit time of a (256, 256) MLP, {n_rows} rows x {X.shape[1]} "
        f"features, {epochs} epochs, batch {BATCH}, K={K} unless named; ZO "
        f"without the surrogate phase; best of {repeats} ({device})\n"
    )
    print(f"skorch cross-entropy fit: {ce:.2f} s\n")
    print("| method | fit time (s) | / skorch CE |")
    print("|---|---|---|")
    for name, t in times.items():
        print(f"| {name} | {t:.2f} | {t / ce:.2f}× |", flush=True)


def multilabel_table(device, n_rows=5000, n_labels=20, epochs=10, repeats=3):
    """Multilabel fit time: PG and ZO / a skorch per-label BCE fit of the
    same MLP, epochs and batch, and a plain torch BCE loop for scale."""
    from sklearn.datasets import make_multilabel_classification
    from skorch import NeuralNet

    X, Y = make_multilabel_classification(
        n_rows, 20, n_classes=n_labels, random_state=0
    )
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    print(
        f"\n9. Multilabel fit time, {n_rows} rows x 20 features, {n_labels} "
        f"labels, MLP(64), {epochs} epochs, batch {BATCH}, K={K}; ZO without the "
        f"surrogate phase; best of {repeats} ({device})\n"
    )

    def skorch_bce():
        torch.manual_seed(0)
        NeuralNet(
            MLP(20, n_labels),
            criterion=torch.nn.BCEWithLogitsLoss,
            optimizer=torch.optim.Adam,
            lr=0.01,
            max_epochs=epochs,
            batch_size=BATCH,
            train_split=None,
            verbose=0,
            device=device,
        ).fit(X32, Y32)

    def torch_bce():
        torch.manual_seed(0)
        module = MLP(20, n_labels).to(device)
        optimizer = torch.optim.Adam(module.parameters(), lr=0.01)
        Xt, Yt = (
            torch.as_tensor(X32, device=device),
            torch.as_tensor(Y32, device=device),
        )
        loss_fn = torch.nn.BCEWithLogitsLoss()
        for _ in range(epochs):
            for rows in torch.randperm(n_rows, device=device).split(BATCH):
                optimizer.zero_grad()
                loss_fn(module(Xt[rows]), Yt[rows]).backward()
                optimizer.step()

    bce = best_of(skorch_bce, repeats)
    loop = best_of(torch_bce, repeats)
    rows = []
    for scoring in (
        "jaccard_samples",
        "f1_samples",
        "f1_macro",
        "f1_micro",
        "accuracy",
    ):
        common = dict(scoring=scoring, max_epochs=epochs, random_state=0)
        common["device"] = device
        pg = PGClassifier(**common)
        zo = ZOClassifier(surrogate_epochs=0, decision_offsets=None, **common)
        rows.append(
            (scoring, [best_of(lambda m=m: m.fit(X, Y), repeats) for m in (pg, zo)])
        )
    bce = min(bce, best_of(skorch_bce, repeats))
    print(f"skorch BCE fit {bce:.2f} s; a plain torch BCE loop {loop:.2f} s.\n")
    multilabel_step_parts(X, Y, device)
    print("| scorer | PG (s) | PG / skorch BCE | ZO output layer / skorch BCE |")
    print("|---|---|---|---|")
    for scoring, (t_pg, t_zo) in rows:
        print(
            f"| {scoring} | {t_pg:.2f} | {t_pg / bce:.2f}× | {t_zo / bce:.2f}× |",
            flush=True,
        )


def multilabel_step_parts(X, Y, device, scoring="jaccard_samples", repeats=50):
    """Where a multilabel PG step's time goes, against a BCE step."""
    from sklearn_zopg.pg._gradient import entry_surrogate, sample_entries
    from sklearn_zopg.pg._net import EntryReward
    from sklearn_zopg.rewards import MultilabelReward

    torch.manual_seed(0)
    n, L = BATCH, Y.shape[1]
    module = MLP(X.shape[1], L).double().to(device)
    optimizer = torch.optim.Adam(module.parameters(), lr=0.01)
    Xb = torch.as_tensor(X[:n], dtype=torch.float64, device=device)
    Yb = torch.as_tensor(Y[:n], device=device).long()
    reward = EntryReward(MultilabelReward(scoring, L), n, L)
    generator = torch.Generator(device).manual_seed(0)

    def log_proba():
        logits = module(Xb)
        two_way = torch.stack([torch.zeros_like(logits), logits], -1)
        return torch.log_softmax(two_way.reshape(n * L, 2), 1)

    lp = log_proba()
    proba = lp.detach().exp()
    labels = sample_entries(proba, K, generator)
    advantage, _ = reward.sample_credit(Yb, labels, proba)

    def surrogate_backward():
        entry_surrogate(log_proba(), labels, advantage).backward()

    def bce_step():
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            module(Xb), Yb.double()
        )
        loss.backward()
        optimizer.step()

    def ms(fn):
        return 1e3 * best_of(fn, repeats)

    parts = {
        "forward and log-probabilities": ms(log_proba),
        f"sampling K={K} indicator matrices": ms(
            lambda: sample_entries(proba, K, generator)
        ),
        f"per-entry credit ({scoring})": ms(
            lambda: reward.sample_credit(Yb, labels, proba)
        ),
        "forward, surrogate and backward": ms(surrogate_backward),
        "Adam step": ms(optimizer.step),
        "a BCE step (forward, backward, Adam)": ms(bce_step),
    }
    print(f"Parts of a PG step, batch {n}, {L} labels, float64, best of {repeats}\n")
    print("| part | ms |")
    print("|---|---|")
    for part, value in parts.items():
        print(f"| {part} | {value:.2f} |")
    print()


def offsets_cost_table(device, repeats=3):
    """ZO fits with and without the decision offsets, side by side, on the
    tasks whose search is the largest: many labels and many classes."""
    from sklearn.datasets import make_classification, make_multilabel_classification

    X_ml, Y_ml = make_multilabel_classification(6000, 20, n_classes=20, random_state=0)
    X_bin, y_bin = imbalanced_problem(n_samples=10_000)
    X_mc, y_mc = make_classification(
        10_000, 20, n_informative=10, n_classes=10, random_state=0
    )
    tasks = [
        ("6,000 x 20 labels", X_ml, Y_ml, "jaccard_samples"),
        ("6,000 x 20 labels", X_ml, Y_ml, "f1_samples"),
        ("6,000 x 20 labels", X_ml, Y_ml, "f1_macro"),
        ("10,000 rows, binary", X_bin, y_bin, "f1"),
        ("10,000 rows, 10 classes", X_mc, y_mc, "f1_macro"),
    ]
    print(
        "\n11. Decision offsets' cost: ZOClassifier, 20 surrogate epochs and 3 "
        f"score epochs, decision_offsets='auto' vs None, best of {repeats}, "
        f"interleaved ({device})\n"
    )
    print(
        "| task | scoring | fit, offsets None (s) | with 'auto' (s) | offsets / rest |"
    )
    print("|---|---|---|---|---|")
    for name, X, y, scoring in tasks:
        times = {None: [], "auto": []}
        for _ in range(repeats):
            for offsets in times:
                est = ZOClassifier(
                    scoring=scoring,
                    max_epochs=3,
                    decision_offsets=offsets,
                    random_state=0,
                    device=device,
                )
                start = time.perf_counter()
                est.fit(X, y)
                times[offsets].append(time.perf_counter() - start)
        rest, tuned = min(times[None]), min(times["auto"])
        print(
            f"| {name} | {scoring} | {rest:.2f} | {tuned:.2f} | "
            f"{(tuned - rest) / rest:.2f} |",
            flush=True,
        )


def inference_threads_table(device, repeats=50):
    """predict_proba with the thread rule (one thread for calls of little
    work) against torch's default threads, the same fitted models."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from sklearn_zopg import _threads

    X, y = imbalanced_problem(n_samples=10_000)
    docs = [
        " ".join(f"w{(i * 7 + j * 13) % 5000}" for j in range(30)) for i in range(2000)
    ]
    X_text = HashingVectorizer(n_features=2**18).transform(docs)
    y_text = np.arange(2000) % 2
    models = [
        ("MLP(64), 20 features", PGClassifier(max_epochs=1), X, y),
        (
            "MLP(256, 256), 20 features",
            PGClassifier(hidden_layer_sizes=(256, 256), max_epochs=1),
            X,
            y,
        ),
        ("MLP(64), 2^18 hashed text", PGClassifier(max_epochs=1), X_text, y_text),
    ]
    print(
        f"\n12. predict_proba: the thread rule vs torch's default "
        f"{torch.get_num_threads()} threads, best of {repeats} ({device})\n"
    )
    print("| model | rows | rule (ms) | default threads (ms) | default / rule |")
    print("|---|---|---|---|---|")
    bound = _threads.SINGLE_THREAD_MAX_WORK
    for name, est, X_fit, y_fit in models:
        est.set_params(random_state=0, device=device).fit(X_fit, y_fit)
        for rows in (1, 250, 8192):
            part = X_fit[:rows]
            times = {}
            for label, work in (("rule", bound), ("default", -1)):
                _threads.SINGLE_THREAD_MAX_WORK = work
                try:
                    times[label] = 1e3 * best_of(
                        lambda p=part: est.predict_proba(p), repeats
                    )
                finally:
                    _threads.SINGLE_THREAD_MAX_WORK = bound
            print(
                f"| {name} | {rows:,} | {times['rule']:.2f} | "
                f"{times['default']:.2f} | "
                f"{times['default'] / times['rule']:.2f} |",
                flush=True,
            )


def against_boosting_table(device, repeats=3):
    """Default fits (only ``scoring`` and ``random_state`` set) against the
    gradient boosting users tune for the same score, side by side."""
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import TunedThresholdClassifierCV

    X, y = make_classification(
        10_000, 50, n_informative=15, weights=[0.85], random_state=0
    )
    X[:, :10] = np.exp(2 * X[:, :10])  # heavy-tailed columns, as counts are
    models = {
        "PGClassifier": lambda: PGClassifier(
            scoring="f1", random_state=0, device=device
        ),
        "ZOClassifier": lambda: ZOClassifier(
            scoring="f1", random_state=0, device=device
        ),
        "PGClassifier, input map": lambda: PGClassifier(
            scoring="f1", random_state=0, device=device, **WITH_MAP
        ),
        "ZOClassifier, input map": lambda: ZOClassifier(
            scoring="f1", random_state=0, device=device, **WITH_MAP
        ),
        "TunedThresholdClassifierCV(HGB)": lambda: TunedThresholdClassifierCV(
            HistGradientBoostingClassifier(random_state=0), scoring="f1"
        ),
    }
    print(
        f"\n13. Default fits on 10,000 x 50 (15% positive, F1) against tuned "
        f"gradient boosting, best of {repeats}, interleaved ({device})\n"
    )
    times = {name: [] for name in models}
    for _ in range(repeats):
        for name, make in models.items():
            start = time.perf_counter()
            make().fit(X, y)
            times[name].append(time.perf_counter() - start)
    boosting = min(times["TunedThresholdClassifierCV(HGB)"])
    print("| model | fit (s) | / tuned boosting |")
    print("|---|---|---|")
    for name, runs in times.items():
        print(f"| {name} | {min(runs):.2f} | {min(runs) / boosting:.2f} |")


def row_costs_table(device, n_rows=10_000, epochs=5, repeats=3):
    """PG and ZO fits on per-row costs against the same fits on MCC,
    interleaved: binary (and empulse's savings, where it installs) and 3
    classes."""
    import sklearn
    from sklearn.datasets import make_classification

    from sklearn_zopg import make_cost_scorer

    print(
        f"\n14. Per-row costs as the score: fit time / the same fit on MCC, "
        f"{n_rows:,} rows, {epochs} epochs, best of {repeats}, interleaved "
        f"({device})\n"
    )
    print("| classes | scoring | PG fit (s) | PG / MCC | ZO fit (s) | ZO / MCC |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for n_classes in (2, 3):
        X, y = make_classification(
            n_rows, 20, n_informative=8, n_classes=n_classes, random_state=0
        )
        matrices = rng.gamma(1.0, 10.0, (n_rows, n_classes, n_classes))
        matrices[:, np.arange(n_classes), np.arange(n_classes)] = 0.0
        with sklearn.config_context(enable_metadata_routing=True):
            scorers = {
                "matthews_corrcoef": ("matthews_corrcoef", {}),
                "per-row cost matrix": (
                    make_cost_scorer(labels=np.arange(n_classes)).set_score_request(
                        cost_matrix=True
                    ),
                    {"cost_matrix": matrices},
                ),
            }
            if n_classes == 2:
                try:
                    from empulse.metrics import savings_score
                    from sklearn.metrics import make_scorer

                    savings = make_scorer(savings_score).set_score_request(
                        fp_cost=True, fn_cost=True
                    )
                    costs = {"fp_cost": matrices[:, 0, 1], "fn_cost": matrices[:, 1, 0]}
                    scorers["empulse savings"] = (savings, costs)
                except ImportError:
                    pass
            times = {(m, k): [] for m in ("PG", "ZO") for k in scorers}
            for _ in range(repeats):
                for (method, key), found in times.items():
                    scoring, metadata = scorers[key]
                    Estimator = PGClassifier if method == "PG" else ZOClassifier
                    est = Estimator(
                        scoring=scoring,
                        max_epochs=epochs,
                        random_state=0,
                        device=device,
                    )
                    start = time.perf_counter()
                    est.fit(X, y, **metadata)
                    found.append(time.perf_counter() - start)
        best = {key: min(found) for key, found in times.items()}
        for key in scorers:
            pg, zo = best["PG", key], best["ZO", key]
            pg_mcc, zo_mcc = (
                best["PG", "matthews_corrcoef"],
                best["ZO", "matthews_corrcoef"],
            )
            print(
                f"| {n_classes} | {key} | {pg:.2f} | {pg / pg_mcc:.2f} | {zo:.2f} "
                f"| {zo / zo_mcc:.2f} |",
                flush=True,
            )


def tuned_decision_table(repeats=3):
    """The offsets' search of ``TunedDecisionClassifierCV`` (on the
    cross-fitted probabilities, without the folds' fits) against one fit of
    the wrapped classifier."""
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    from sklearn_zopg import TunedDecisionClassifierCV

    X, y = make_classification(
        10_000, 20, n_informative=12, n_classes=10, random_state=0
    )
    print(
        f"\n15. TunedDecisionClassifierCV: the offsets' search / one fit of the "
        f"classifier, 10,000 rows, 10 classes, best of {repeats}\n"
    )
    print("| classifier | scoring | fit (s) | search (s) | search / fit |")
    print("|---|---|---|---|---|")
    for base in (HistGradientBoostingClassifier(random_state=0), LogisticRegression()):
        fit = min(_seconds(lambda: clone_fit(base, X, y)) for _ in range(repeats))
        for scoring in ("balanced_accuracy", "f1_macro", "matthews_corrcoef"):
            tuned = TunedDecisionClassifierCV(base, scoring=scoring, cv=2).fit(X, y)
            proba = tuned.estimator_.predict_proba(X)
            search = min(
                _seconds(lambda: tuned._tuned(_reward_of(tuned), X, y, proba, {}))
                for _ in range(repeats)
            )
            print(
                f"| {type(base).__name__} | {scoring} | {fit:.2f} | {search:.3f} "
                f"| {search / fit:.3f} |",
                flush=True,
            )


def clone_fit(estimator, X, y):
    from sklearn.base import clone

    return clone(estimator).fit(X, y)


def _reward_of(tuned):
    from sklearn_zopg.rewards import make_reward

    return make_reward(tuned.scoring, classes=tuned.classes_)


def _seconds(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--tables",
        default="1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
        help="which tables to print, comma-separated, e.g. 1,6",
    )
    args = parser.parse_args()
    device = args.device
    name = torch.cuda.get_device_name() if device == "cuda" else platform.machine()
    print(
        f"Machine: {name}, {torch.get_num_threads()} torch threads, "
        f"torch {torch.__version__}"
    )
    tables = {
        "1": lambda: fit_table(*imbalanced_problem(n_samples=1000), device),
        "2": lambda: step_vs_forwards(*imbalanced_problem(n_samples=4096), device),
        "3": lambda: batched_vs_loop(device),
        "4": lambda: memory_table(device),
        "5": lambda: step_vs_cross_entropy(*imbalanced_problem(4096), device),
        "6": lambda: many_classes_table(device),
        "7": lambda: memory_by_k_table(device),
        "8": lambda: memory_by_k_loop_table(device),
        "9": lambda: multilabel_table(device),
        "10": lambda: wide_fit_table(device),
        "11": lambda: offsets_cost_table(device),
        "12": lambda: inference_threads_table(device),
        "13": lambda: against_boosting_table(device),
        "14": lambda: row_costs_table(device),
        "15": lambda: tuned_decision_table(),
    }
    for key in args.tables.split(","):
        tables[key.strip()]()


if __name__ == "__main__":
    main()
