"""Precision and recall on the two labelled corpora, each written blind to the implementation.

tests/corpus (DDB101/DDB102) and tests/holdout (DDB101-DDB104, DDB204) were written by authors who
read only the specification; `python tests/corpus_score.py DIR CODES...` prints the details.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from corpus_score import score

pytestmark = pytest.mark.slow  # lints every file of the corpora
HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("corpus, codes", [
    ("corpus", ("DDB101", "DDB102")),
    ("holdout", ("DDB101", "DDB102", "DDB103", "DDB104", "DDB204")),
])
def test_precision_and_recall(corpus, codes):
    counts, misses = score(HERE / corpus, codes)
    total = sum(counts.values(), Counter())
    assert total["tp"] >= 30, "the corpus must exercise the rules"
    precision = total["tp"] / (total["tp"] + total["fp"])
    recall = total["tp"] / (total["tp"] + total["fn"])
    assert precision >= 0.95 and recall >= 0.90, misses
