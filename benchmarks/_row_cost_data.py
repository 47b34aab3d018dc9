"""empulse's four bundled tables with per-row costs, as ``(X, y, costs)``.

Each table's costs come from its own cost model (``Dataset.cost_matrix``:
sympy expressions of the per-row amounts in ``instance_costs`` and of the
model's default parameters, such as a loss given default of 0.75). They
are evaluated here into the four per-row arrays ``tp_cost``, ``fp_cost``,
``tn_cost`` and ``fn_cost`` that empulse's metrics and estimators take.

The amounts are known when the decision is made (a loan's limit, a
customer's value), so they are also given to every model as features:
``log1p`` of each cost that varies by row.
"""

import numpy as np
import pandas as pd
import sympy
from empulse import datasets

__all__ = ["COSTS", "TABLES", "load"]

COSTS = ("tp_cost", "fp_cost", "tn_cost", "fn_cost")
TABLES = {
    "churn": datasets.load_churn_tv_subscriptions,
    "pakdd": datasets.load_credit_scoring_pakdd,
    "bank": datasets.load_upsell_bank_telemarketing,
    "vub": datasets.load_vub_credit_scoring,
}


def _evaluate(expression, values, n):
    """A sympy cost (or benefit) expression on the per-row amounts."""
    expression = sympy.sympify(expression)
    symbols = sorted(expression.free_symbols, key=str)
    function = sympy.lambdify(symbols, expression, "numpy")
    result = function(*(np.asarray(values[str(s)], dtype=float) for s in symbols))
    return np.broadcast_to(np.asarray(result, dtype=float), (n,)).copy()


def _row_costs(dataset, n):
    matrix = dataset.cost_matrix
    values = {**matrix._defaults, **dataset.instance_costs}
    # ``tp_cost`` and the others are net costs (cost minus benefit).
    return {name: _evaluate(getattr(matrix, name), values, n) for name in COSTS}


def load(name, max_rows=None, seed=0):
    """``(X, y, costs)`` of table ``name``: a DataFrame with the amounts as
    ``amount_<cost>`` columns, 0/1 targets, and the four per-row cost
    arrays; at most ``max_rows`` rows, drawn at random with ``seed``."""
    dataset = TABLES[name](backend=pd)
    X = dataset.data.reset_index(drop=True)
    y = np.asarray(dataset.target).astype(int)
    costs = _row_costs(dataset, len(y))
    for cost, value in costs.items():
        if np.ptp(value) > 0:
            X[f"amount_{cost}"] = np.log1p(np.maximum(value, 0.0))
    if max_rows is not None and len(y) > max_rows:
        rows = np.random.default_rng(seed).choice(len(y), max_rows, replace=False)
        rows.sort()
        X, y = X.iloc[rows].reset_index(drop=True), y[rows]
        costs = {cost: value[rows] for cost, value in costs.items()}
    return X, y, costs
