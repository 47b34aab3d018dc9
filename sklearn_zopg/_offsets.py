"""Decision offsets: one shift per output logit, tuned on the exact score.

Training maximizes the score of batches; a count-based score such as F1 at a
few percent positives is, over a batch, a noisy and biased stand-in for the
score of the whole data set. A final step moves each output's decision
boundary: ``predict`` takes the argmax of ``logits + offsets`` (single-label)
or ``logits + offsets > 0`` (one sign per label), with the offsets chosen to
maximize the exact score on a set of rows. For two classes this is the
decision threshold (``TunedThresholdClassifierCV`` without the refits).

The search is coordinate ascent: for each output in turn, every candidate
shift (minus the midpoints between the rows' distinct margins for that output,
where predictions change) is scored at once, and the best kept; ties keep the
shift closest to the current offsets, so an offset moves only where the score
strictly gains. Count-based scorers of single labels count the candidates
from per-class sums; other label scorers score their label vectors, and
scorers of scores their shifted logits (:meth:`Reward.score_logits`). Pure
tensor functions: no estimator, no skorch.
"""

import torch

from .rewards._counts import ClassCounts

__all__ = ["tune_offsets"]

# Candidate shifts per output and search round, and rounds over the outputs.
N_CANDIDATES = 64
N_ROUNDS = 2
# Scored logits held at once, in numbers (candidates x rows x outputs).
_CHUNK_ENTRIES = 2**23


def tune_offsets(
    reward,
    y,
    logits,
    sample_weight=None,
    *,
    multilabel=False,
    n_candidates=N_CANDIDATES,
    start=None,
):
    """The offsets maximizing ``reward`` of ``logits + offsets`` on ``y``.

    Parameters
    ----------
    reward : Reward or MultilabelReward
        The score (its :meth:`score_logits`).
    y : tensor of shape (n,) or (n, L)
        True class indices, or the 0/1 label matrix.
    logits : tensor of shape (n, C)
        The model's outputs on the same rows.
    sample_weight : tensor of shape (n,), default=None
    multilabel : bool, default=False
        One independent decision ``logit + offset > 0`` per output, instead
        of the argmax over outputs.
    n_candidates : int, default=64
        The most shifts scored per output and round: midpoints between
        consecutive distinct margins, at evenly spaced ranks when there are
        more.
    start : tensor of shape (C,), default=None
        The offsets the ascent starts from (zeros if None).

    Returns
    -------
    offsets : tensor of shape (C,)
        float64, on ``logits``' device. For single-label outputs the first
        is 0 (an argmax is unchanged by a common shift), and for two classes
        only the second moves.
    best : float
        The score of ``logits + offsets``.
    """
    logits = logits.detach().to(torch.float64)
    n_outputs = logits.shape[1]
    offsets = torch.zeros(n_outputs, dtype=torch.float64, device=logits.device)
    if start is not None:
        offsets += torch.as_tensor(start, dtype=torch.float64, device=logits.device)
    shifted = logits + offsets  # kept up to date
    best = _score(reward, y, shifted, sample_weight, multilabel)
    top = None if multilabel else _TopTwo(shifted)
    movable = range(n_outputs) if multilabel else range(1, n_outputs)
    for _ in range(N_ROUNDS if n_outputs > 2 or multilabel else 1):
        moved = False
        for c in movable:
            margins, others = _margins(shifted, c, top)
            shifts = _candidate_shifts(margins, n_candidates)
            scores = _shift_scores(
                reward, y, shifted, c, margins, others, shifts, sample_weight
            )
            high = scores.max()
            if high <= best:
                continue
            winners = torch.nonzero(scores == high).ravel()
            shift = shifts[winners[shifts[winners].abs().argmin()]]
            offsets[c] += shift
            shifted[:, c] += shift
            if top is not None:
                top.update(shifted, c)
            best, moved = high, True
        if not moved:
            break
    # The score of the rule predict applies (equal to the search's but at
    # exact ties of the argmax).
    return offsets, _score(reward, y, logits + offsets, sample_weight, multilabel)


class _TopTwo:
    """The two largest outputs of each row and where they are, repaired
    after one output changes: the rows whose best two held it, or that it
    now enters, are recomputed, the others are left as they are. So the
    best output other than ``c`` costs ``O(n)`` per output instead of a pass
    over the whole ``(n, C)`` matrix."""

    def __init__(self, shifted):
        self.values, self.index = shifted.topk(2, dim=1)

    def other_best(self, c):
        """Value and index of each row's largest output other than ``c``."""
        first_is_c = self.index[:, 0] == c
        values = torch.where(first_is_c, self.values[:, 1], self.values[:, 0])
        index = torch.where(first_is_c, self.index[:, 1], self.index[:, 0])
        return values, index

    def update(self, shifted, c):
        stale = (self.index == c).any(dim=1) | (shifted[:, c] > self.values[:, 1])
        if stale.any():
            values, index = shifted[stale].topk(2, dim=1)
            self.values[stale], self.index[stale] = values, index


def _score(reward, y, logits, sample_weight, multilabel):
    if _scores_labels(reward):
        labels = (logits > 0).long() if multilabel else logits.argmax(dim=1)
        return float(reward(y, labels[None], sample_weight, check=False)[0])
    return float(reward.score_logits(y, logits[None], sample_weight, check=False)[0])


def _scores_labels(reward):
    """Whether ``reward`` is a scorer of predicted labels alone (then the
    candidates are scored as label vectors, without forming their logits)."""
    return reward.parts is not None and not reward.needs_scores


def _margins(shifted, c, top):
    """How far each row is from predicting output ``c`` (positive: it does),
    and what the row predicts otherwise: the best other output (``top``, a
    :class:`_TopTwo`), or the whole 0/1 row (multilabel: ``top`` is None)."""
    if top is None:
        return shifted[:, c], (shifted > 0).long()
    runner_up, others = top.other_best(c)
    return shifted[:, c] - runner_up, others


def _candidate_shifts(margins, n_candidates=N_CANDIDATES):
    """Shifts of an output at which some rows' predictions change: minus
    the midpoints between consecutive distinct margins of the rows (at most
    ``n_candidates`` of them, evenly spaced), one beyond each end, and 0."""
    levels = torch.unique(margins)  # sorted
    if len(levels) > n_candidates + 1:
        # Evenly spaced ranks among the distinct margins: the same
        # candidates whether a row is repeated or weighted.
        ranks = torch.linspace(0, len(levels) - 1, n_candidates + 1)
        levels = levels[ranks.round().long().to(levels.device)]
    # Beyond both ends too: every row on one side is a candidate rule.
    levels = torch.cat([levels[:1] - 1, levels, levels[-1:] + 1])
    midpoints = (levels[1:] + levels[:-1]) / 2
    zero = torch.zeros(1, dtype=torch.float64, device=margins.device)
    return torch.cat([zero, -midpoints])


def _shift_scores(reward, y, shifted, c, margins, others, shifts, sample_weight):
    """The score with output ``c``'s offset moved by each of ``shifts``: a
    row predicts ``c`` where its margin plus the shift is positive, else
    what it predicts otherwise. Counted in ``O(n + K C)`` for count-based
    scorers of single labels (:func:`_counted_shift_scores`); otherwise in
    chunks, as label vectors for scorers of labels and as shifted logits for
    the others."""
    if others.ndim == 1 and reward.counts_apply(sample_weight):
        return _counted_shift_scores(
            reward, y, c, margins, others, shifts, sample_weight
        )
    n, C = shifted.shape
    labels_only, single = _scores_labels(reward), others.ndim == 1
    # entries held per candidate: one label per row where only the changed
    # output is scored (single labels; multilabel counted from one column),
    # the whole row where K matrices or logits are formed
    counted = single or getattr(reward, "count_based", False)
    width = 1 if labels_only and counted else C
    per_chunk = max(1, _CHUNK_ENTRIES // max(1, n * width))
    out = []
    for part in shifts.split(per_chunk):
        takes_c = margins[None] + part[:, None] > 0  # (k, n)
        if labels_only and single:
            labels = torch.where(takes_c, c, others[None])
            out.append(reward(y, labels, sample_weight, check=False))
        elif labels_only:
            out.append(reward.score_column(y, others, c, takes_c, sample_weight))
        else:
            logits = shifted.expand(len(part), n, C).clone()
            logits[:, :, c] += part[:, None]
            out.append(reward.score_logits(y, logits, sample_weight, check=False))
    return torch.cat([torch.as_tensor(o) for o in out]).to(torch.float64)


def _counted_shift_scores(reward, y, c, margins, others, shifts, sample_weight):
    """:func:`_shift_scores` from per-class counts, without forming the
    ``K`` label vectors: with every row on its other prediction as the base,
    a shift moves to ``c`` exactly the rows whose margin exceeds minus the
    shift, so the counts of all ``K`` candidates are the base counts minus
    suffix sums of the rows' contributions, grouped by the candidate
    threshold each row passes (one bincount over ``(K + 1) x C`` cells)."""
    n, C = y.shape[0], len(reward.classes)
    ones = torch.ones(n, dtype=torch.float64, device=margins.device)
    w = ones if sample_weight is None else sample_weight.to(torch.float64)
    thresholds, order = torch.sort(-shifts)
    # A row moves to c for the sorted candidates k < passed[i].
    passed = torch.searchsorted(thresholds, margins, right=False)
    K = len(shifts)

    def moved(values, classes):
        """Suffix sums over candidates of ``values`` by ``classes``: (K, C)."""
        cells = passed * C + classes
        table = torch.bincount(cells, weights=values, minlength=(K + 1) * C)
        table = table.view(K + 1, C)
        return table.flip(0).cumsum(0).flip(0)[1:]

    hit = (others == y).to(torch.float64)
    to_c = (y == c).to(torch.float64)
    base_tp = torch.bincount(others, weights=w * hit, minlength=C)
    base_pred = torch.bincount(others, weights=w, minlength=C)
    base_count = torch.bincount(others, minlength=C).to(torch.float64)
    true = torch.bincount(y, weights=w, minlength=C)
    true_count = torch.bincount(y, minlength=C).to(torch.float64)
    zeros = torch.zeros_like(others)
    gained = moved(w * to_c, zeros)[:, 0]
    tp = base_tp - moved(w * hit, others)
    tp[:, c] += gained
    pred = base_pred - moved(w, others)
    pred[:, c] += moved(w, zeros)[:, 0]
    pred_count = base_count - moved(ones, others)
    pred_count[:, c] += moved(ones, zeros)[:, 0]
    counts = ClassCounts.from_totals(
        tp, pred, true.expand(K, C), pred_count, true_count
    )
    scores = torch.as_tensor(reward.score_counts(counts), dtype=torch.float64)
    out = torch.empty_like(scores)
    out[order] = scores
    return out
