"""What a ``partial_fit`` call knows of its chunk: first call or not, and
the classes it was given."""

import numpy as np

from ._messages import preview

__all__ = ["Chunk", "surrogate_phase"]


class Chunk:
    """One ``partial_fit`` call's rows, before validation.

    Parameters
    ----------
    first : bool
        Whether no model is fitted yet: this call builds it (and fixes the
        classes, the features and the data-dependent settings).
    classes : array-like or None
        The ``classes`` argument of the call.
    """

    def __init__(self, first, classes=None):
        self.first = first
        self.given = classes

    def classes(self, estimator, y):
        """The classes of single-label ``y``: those given at the first call
        (``y`` may hold a few of them), the fitted ones after it."""
        if self.first:
            if self.given is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: "
                    "every label of the whole training set, for example "
                    "np.unique(y_all), since one chunk may lack some."
                )
            classes = np.unique(np.asarray(self.given))
            if len(classes) < 2:
                raise ValueError(
                    f"classes={preview(classes)} holds fewer than 2 classes; a "
                    "classifier needs at least 2."
                )
        else:
            classes = estimator.classes_
            if self.given is not None and not np.array_equal(
                np.unique(np.asarray(self.given)), classes
            ):
                raise ValueError(
                    f"classes={preview(np.unique(self.given))} differs from the "
                    f"classes the model was fitted on, {preview(classes)}: "
                    "partial_fit cannot change them. Call fit to start afresh."
                )
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            raise ValueError(
                f"y holds labels that are not in classes: {preview(unseen)} "
                f"(classes are {preview(classes)}). Pass every label of the whole "
                "training set as classes on the first call to partial_fit."
            )
        return classes


def surrogate_phase(history, surrogate_epochs):
    """Whether the next ``partial_fit`` call trains on the surrogate: the
    first ``surrogate_epochs`` calls of a model built by ``partial_fit``
    do; a model that has trained on the score (a ``fit``) continues on it."""
    phases = [epoch["phase"] for epoch in history]
    return len(phases) < surrogate_epochs and all(p == "surrogate" for p in phases)
