"""Text classification: PG and ZO on sparse TF-IDF features against the
classifiers a text user picks today.

Three generated corpora (``_text_corpus.make_corpus``: Zipf background
vocabulary, overlapping topic words, log-normal lengths, imbalance, label
noise), each scored by the score its user reports:

- ``news``: 5 topics, one of them rare (3%), macro F1;
- ``alerts``: binary, 4% positives, F1 of the positive class;
- ``tickets``: short noisy documents (10 words on average, 10% of labels
  wrong), 4 imbalanced classes, balanced accuracy.

Per seed: a stratified 70/30 split, ``TfidfVectorizer(sublinear_tf=True,
min_df=2)`` fitted on the training part (the same sparse features for every
method), then each method fitted on them and scored on the test part.
Methods: ``PGClassifier`` and ``ZOClassifier`` with defaults and
``scoring=`` the task's scorer; anchors ``LogisticRegression`` (plain and
``class_weight="balanced"``), ``LinearSVC(class_weight="balanced")``,
``ComplementNB``, ``SGDClassifier(loss="modified_huber",
class_weight="balanced")``, ``MLPClassifier`` (64 units, early stopping
off) and, for the binary task, ``TunedThresholdClassifierCV(
LogisticRegression())`` tuned for F1.

Prints a markdown table of mean ± std test score and mean fit time, and the
goals: best of PG/ZO at least the best anchor - 0.01 on every task, and at
least +0.03 above it on ``alerts`` and ``tickets`` (where the score and the
loss disagree).

Run: ``python benchmarks/text_quality.py [n_seeds] [first_seed]``.
"""

import sys
import time

import numpy as np
from _text_corpus import make_corpus
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import get_scorer
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.naive_bayes import ComplementNB
from sklearn.neural_network import MLPClassifier
from sklearn.svm import LinearSVC

from sklearn_zopg import PGClassifier, ZOClassifier

TASKS = {
    "news": (
        "f1_macro",
        dict(n_documents=3000, priors=[0.35, 0.3, 0.2, 0.12, 0.03], mean_length=60),
    ),
    "alerts": (
        "f1",
        dict(n_documents=4000, priors=[0.96, 0.04], mean_length=40, topic_share=0.05),
    ),
    "tickets": (
        "balanced_accuracy",
        dict(
            n_documents=4000,
            priors=[0.55, 0.25, 0.15, 0.05],
            mean_length=10,
            topic_share=0.2,
            label_noise=0.1,
        ),
    ),
}
# Tasks where the score and the cross-entropy disagree: the goal is +0.03.
DISAGREE = ("alerts", "tickets")


def methods(scoring, seed, binary):
    ours = {
        "PGClassifier": PGClassifier(scoring=scoring, random_state=seed),
        "ZOClassifier": ZOClassifier(scoring=scoring, random_state=seed),
    }
    anchors = {
        "LogReg": LogisticRegression(max_iter=1000),
        "LogReg balanced": LogisticRegression(max_iter=1000, class_weight="balanced"),
        "LinearSVC balanced": LinearSVC(class_weight="balanced"),
        "ComplementNB": ComplementNB(),
        "SGD mod. huber balanced": SGDClassifier(
            loss="modified_huber", class_weight="balanced", random_state=seed
        ),
        "MLPClassifier": MLPClassifier((64,), random_state=seed),
    }
    if binary:
        anchors["TunedThreshold(LogReg)"] = TunedThresholdClassifierCV(
            LogisticRegression(max_iter=1000), scoring=scoring
        )
    return ours, anchors


def text_splits(name, seeds):
    """``(seed, X_train, X_test, y_train, y_test)`` of task ``name`` per
    seed: a stratified 70/30 split of its corpus, TF-IDF fitted on the
    training part."""
    _, corpus = TASKS[name]
    for seed in seeds:
        docs, y = make_corpus(**corpus, random_state=seed)
        d_tr, d_te, y_tr, y_te = train_test_split(
            docs, y, test_size=0.3, stratify=y, random_state=seed
        )
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2)
        X_tr, X_te = vectorizer.fit_transform(d_tr), vectorizer.transform(d_te)
        yield seed, X_tr, X_te, y_tr, y_te


def run_task(name, seeds):
    scoring, _ = TASKS[name]
    scorer = get_scorer(scoring)
    results = {}
    for seed, X_tr, X_te, y_tr, y_te in text_splits(name, seeds):
        binary = len(np.unique(y_tr)) == 2
        ours, anchors = methods(scoring, seed, binary=binary)
        for kind, group in (("ours", ours), ("anchor", anchors)):
            for method, model in group.items():
                start = time.perf_counter()
                model.fit(X_tr, y_tr)
                elapsed = time.perf_counter() - start
                scores, times = results.setdefault((kind, method), ([], []))
                scores.append(scorer(model, X_te, y_te))
                times.append(elapsed)
    return scoring, X_tr.shape, results


def main(n_seeds=3, first_seed=0):
    seeds = range(first_seed, first_seed + n_seeds)
    print(f"Mean ± std test score over seeds {seeds[0]}-{seeds[-1]}\n")
    print("| task | scorer | method | test score | fit time |")
    print("|---|---|---|---|---|")
    goals = []
    for name in TASKS:
        scoring, shape, results = run_task(name, seeds)
        for (kind, method), (scores, times) in results.items():
            print(
                f"| {name} ({shape[0]}x{shape[1]}) | {scoring} | {method} | "
                f"{np.mean(scores):.3f} ± {np.std(scores):.3f} | "
                f"{np.mean(times):.2f} s |"
            )
        best_ours = max(np.mean(s) for (k, _), (s, _) in results.items() if k == "ours")
        best_anchor = max(
            np.mean(s) for (k, _), (s, _) in results.items() if k == "anchor"
        )
        margin = 0.03 if name in DISAGREE else -0.01
        goals.append((name, best_ours, best_anchor, margin))
    print("\n| task | best of PG/ZO | best anchor | goal | met |")
    print("|---|---|---|---|---|")
    for name, ours, anchor, margin in goals:
        print(
            f"| {name} | {ours:.3f} | {anchor:.3f} | ≥ anchor {margin:+.2f} | "
            f"{'yes' if ours >= anchor + margin else 'no'} |"
        )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
