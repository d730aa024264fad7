"""The topic model's training data and folds (the training itself needs torch: research/topics/finetune.py)."""

from __future__ import annotations

import numpy as np

from research.topics.data import BLIND_SPLITS, DATASET, development_files, development_rows
from research.topics.finetune import FOLDS, OTHER_GROUPS, fold_of


def test_blind_splits_are_never_opened_for_training():
    files = {p.name for p in development_files()}
    for split in BLIND_SPLITS:
        assert (DATASET.parent / f"sensitive_topics_{split}.jsonl").exists()
        assert f"sensitive_topics_{split}.jsonl" not in files
    assert not {r["group"] for r in development_rows()} & set(BLIND_SPLITS)


def test_each_writer_file_stays_in_one_fold_and_the_rest_spreads():
    groups = np.array(["w1"] * 4 + ["w2"] * 3 + ["w3"] * 2 + ["train"] * 10 + ["routine"] * 10 + [f"w{i}" for i in range(4, 10)])
    folds = fold_of(groups)
    for g in set(groups) - set(OTHER_GROUPS):
        assert len(set(folds[groups == g])) == 1
    assert sorted(set(folds)) == list(range(FOLDS))
    other = np.isin(groups, OTHER_GROUPS)
    assert np.bincount(folds[other], minlength=FOLDS).min() == 4
