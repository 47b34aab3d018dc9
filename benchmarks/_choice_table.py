"""The table that the default-choice scripts print: mean test score of a few
ways to fit, per task, over a range of seeds."""

import numpy as np
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def choice_table(tasks, methods, first, end):
    """Print a markdown table: one row per task ``(title, scoring, X, y)``,
    one column per method ``name -> make(scoring, seed, n_train)``, each cell
    the mean test score over seeds ``first..end-1`` (stratified 50/50 split,
    standardized features)."""
    print(f"Mean test score over seeds {first}-{end - 1}\n")
    print("| task | scorer | " + " | ".join(methods) + " |")
    print("|---|---|" + "---|" * len(methods))
    for title, scoring, X, y in tasks:
        scorer = get_scorer(scoring)
        row = []
        for make in methods.values():
            scores = []
            for seed in range(first, end):
                X_tr, X_te, y_tr, y_te = train_test_split(
                    X, y, test_size=0.5, stratify=y, random_state=seed
                )
                model = make(scoring, seed, len(y_tr))
                model = make_pipeline(StandardScaler(), model).fit(X_tr, y_tr)
                scores.append(scorer(model, X_te, y_te))
            row.append(f"{np.mean(scores):.3f}")
        print(f"| {title} | {scoring} | " + " | ".join(row) + " |", flush=True)
