"""
Quickstart
==========

Train a classifier on the score you report. Here: F1 of the rare class of
scikit-learn's breast-cancer data (malignant, label 0), inside a
``Pipeline``, then plot the training curve of the last fit.
"""

from sklearn.datasets import load_breast_cancer
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ScoreHistoryDisplay, ZOClassifier

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
malignant_f1 = make_scorer(f1_score, pos_label=0)

for Estimator in (PGClassifier, ZOClassifier):
    model = make_pipeline(
        StandardScaler(), Estimator(scoring=malignant_f1, random_state=0)
    )
    model.fit(X_train, y_train)
    print(
        f"{Estimator.__name__}: test F1 (malignant) = "
        f"{f1_score(y_test, model.predict(X_test), pos_label=0):.3f}"
    )

# The last fit's training curve: the cross-entropy warm start (shaded), then
# training on the F1 of the malignant class.
display = ScoreHistoryDisplay.from_estimator(model[-1])
print(
    f"{len(display.epochs)} epochs, training F1 of the last "
    f"{display.train_score[-1]:.3f}"
)
