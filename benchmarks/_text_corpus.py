"""Generated labelled corpora with the properties of real text.

No labelled corpus ships inside a package these machines can install
(scikit-learn's text sets download at run time), so the text benchmark
generates its documents:

- a background vocabulary drawn with Zipf frequencies (rank ``r`` has
  probability proportional to ``1 / r**1.1``), most of every document;
- topic words per class, drawn with Zipf frequencies too, a share of them
  shared with another class (topics overlap as real ones do);
- document lengths log-normal (a few long documents, many short ones);
- class priors as given (imbalance), and a share of labels replaced by a
  random other class (label noise).
"""

import numpy as np

__all__ = ["make_corpus"]


def _zipf(n, exponent=1.1):
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def make_corpus(
    n_documents,
    priors,
    *,
    mean_length=60,
    topic_share=0.08,
    n_background=20_000,
    n_topic_words=60,
    shared_share=0.3,
    label_noise=0.0,
    random_state=0,
):
    """Documents (strings) and their labels.

    Parameters
    ----------
    n_documents : int
    priors : sequence of float
        Class probabilities (they need not be balanced).
    mean_length : float, default=60
        Mean number of words per document (log-normal, sigma 0.6, at least 3).
    topic_share : float, default=0.08
        Expected share of a document's words drawn from its class's topic.
    n_background : int, default=20_000
        Size of the background vocabulary.
    n_topic_words : int, default=60
        Topic words per class.
    shared_share : float, default=0.3
        Share of a class's topic words that belong to the next class's topic
        too.
    label_noise : float, default=0.0
        Share of labels replaced by another class at random.
    random_state : int, default=0

    Returns
    -------
    docs : ndarray of str, shape (n_documents,)
    y : ndarray of int, shape (n_documents,)
    """
    rng = np.random.default_rng(random_state)
    priors = np.asarray(priors, dtype=float) / np.sum(priors)
    n_classes = len(priors)
    background = _zipf(n_background)
    own = n_topic_words - int(shared_share * n_topic_words)
    topics = [
        [f"t{c}w{i}" for i in range(own)]
        + [f"t{(c + 1) % n_classes}w{i}" for i in range(n_topic_words - own)]
        for c in range(n_classes)
    ]
    topic_weights = _zipf(n_topic_words, 0.8)
    y = rng.choice(n_classes, size=n_documents, p=priors)
    lengths = np.maximum(
        3, rng.lognormal(np.log(mean_length) - 0.18, 0.6, n_documents).astype(int)
    )
    docs = []
    for label, length in zip(y, lengths):
        n_topic = rng.binomial(length, topic_share)
        words = [
            f"b{i}" for i in rng.choice(n_background, length - n_topic, p=background)
        ]
        words += list(rng.choice(topics[label], n_topic, p=topic_weights))
        rng.shuffle(words)
        docs.append(" ".join(words))
    if label_noise:
        flip = rng.random(n_documents) < label_noise
        y = y.copy()
        y[flip] = (y[flip] + rng.integers(1, n_classes, flip.sum())) % n_classes
    return np.array(docs), y
