"""The differentiable surrogate step (cross-entropy) of the post's hybrid."""

import torch

from ._net import check_finite

__all__ = ["cross_entropy_step"]


def cross_entropy_step(reward, data):
    """A train step ``(module, rows) -> {"loss", "score"}`` on weighted cross-entropy.

    The reported score is ``scoring`` of the batch's argmax labels, so the
    history's ``train_score`` reads the same across both phases.
    """

    def step(module, rows):
        Xb, yb, wb = data.batch(rows)
        logits = module(Xb)
        check_finite(logits)
        per_row = torch.nn.functional.cross_entropy(logits, yb, reduction="none")
        if wb is None:
            loss = per_row.mean()
        else:
            loss = (per_row * wb.to(per_row.dtype)).sum() / wb.sum()
        loss.backward()
        with torch.no_grad():
            score = reward.score_logits(yb, logits.detach()[None], wb)[0]
        return {"loss": loss.detach(), "score": score}

    return step
