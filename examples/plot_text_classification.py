"""
Text classification on a rare-class F1
======================================

The most common sklearn pipeline, ``make_pipeline(TfidfVectorizer(),
classifier)``, with a classifier trained on the score its user reports:
F1 of a rare class (5% of the documents), 40 epochs. The TF-IDF features stay a scipy
sparse matrix all the way: the default module's first layer
(:class:`~sklearn_zopg.SparseInputLinear`) multiplies the sparse rows
directly.

The documents are generated here (no corpus can be downloaded at build
time): a background vocabulary of Zipf frequencies, topic words of which
the positive class uses a few more, documents of varied length. The
anchors are what a text user picks today, on the same features and split.
On few, short documents like these, the class-weighted linear models and
the tuned threshold are strong anchors for a rare-class F1, and the plain
cross-entropy ones (``LogisticRegression``, ``ComplementNB``) predict no
positive at all; ``benchmarks/text_quality.py`` measures all of them over
seeds and larger corpora.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from sklearn_zopg import PGClassifier, ZOClassifier

rng = np.random.default_rng(0)
vocabulary = np.array([f"w{i}" for i in range(3000)])
frequency = 1 / np.arange(1, 3001) ** 1.1
frequency /= frequency.sum()
topic = np.array([f"alert{i}" for i in range(20)])
y = (rng.random(2400) < 0.05).astype(int)
docs = []
for label in y:
    words = list(rng.choice(vocabulary, rng.integers(10, 60), p=frequency))
    # Both classes use topic words; positives use more of them.
    words += list(rng.choice(topic, rng.poisson(2.5 if label else 0.4)))
    docs.append(" ".join(words))
docs = np.array(docs)
d_train, d_test, y_train, y_test = train_test_split(
    docs, y, test_size=0.4, stratify=y, random_state=0
)

models = {
    "LogReg": LogisticRegression(),
    "LogReg balanced": LogisticRegression(class_weight="balanced"),
    "LinearSVC balanced": LinearSVC(class_weight="balanced"),
    "ComplementNB": ComplementNB(),
    "LogReg, tuned threshold": TunedThresholdClassifierCV(
        LogisticRegression(), scoring="f1"
    ),
    "PGClassifier(scoring='f1')": PGClassifier(
        scoring="f1", max_epochs=40, random_state=0
    ),
    "ZOClassifier(scoring='f1')": ZOClassifier(
        scoring="f1", max_epochs=40, random_state=0
    ),
}
scores = {}
for name, model in models.items():
    pipe = make_pipeline(TfidfVectorizer(sublinear_tf=True), model)
    pipe.fit(d_train, y_train)
    scores[name] = f1_score(y_test, pipe.predict(d_test))

fig, ax = plt.subplots(figsize=(6.5, 3.5))
colors = ["grey"] * (len(scores) - 2) + ["C0", "C1"]
ax.barh(list(scores), list(scores.values()), color=colors)
ax.set_xlabel("test F1 of the rare class")
ax.set_xlim(0, max(scores.values()) * 1.2)
for i, v in enumerate(scores.values()):
    ax.text(v, i, f" {v:.3f}", va="center")
fig.tight_layout()
for name, score in scores.items():
    print(f"{name:<28} test F1 {score:.3f}")
