"""The topic model's training data and folds (the training itself needs torch: research/topics/finetune.py)."""

from __future__ import annotations

import numpy as np

from research.topics.data import BLIND_SPLITS, DATASET, development_files, development_rows
from research.topics.finetune import FOLDS, OTHER_GROUPS, fold_of, intent_ids
from tests.public_data import public_file


def test_blind_splits_are_never_opened_for_training():
    files = {p.name for p in development_files()}
    for split in BLIND_SPLITS:
        assert (DATASET.parent / f"sensitive_topics_{split}.jsonl").exists()
        assert f"sensitive_topics_{split}.jsonl" not in files
    assert not {r["group"] for r in development_rows(public=False)} & set(BLIND_SPLITS)


def test_with_the_public_tuning_parts_still_no_blind_split_is_trained_on():
    for parts in (("topics", "banking77_train.csv"), ("out_of_scope", "clinc150_dev.json"), ("kbs",)):
        public_file(*parts)  # skips (or fails with DATASETS_REQUIRED=1) on a checkout without the public data
    assert not {r["group"] for r in development_rows()} & set(BLIND_SPLITS)


def test_each_writer_file_stays_in_one_fold_and_the_rest_spreads():
    groups = np.array(["w1"] * 4 + ["w2"] * 3 + ["w3"] * 2 + ["train"] * 10 + ["routine"] * 10 + [f"w{i}" for i in range(4, 10)])
    folds = fold_of(groups, [None] * len(groups))
    for g in set(groups) - set(OTHER_GROUPS):
        assert len(set(folds[groups == g])) == 1
    assert sorted(set(folds)) == list(range(FOLDS))
    other = np.isin(groups, OTHER_GROUPS)
    assert np.bincount(folds[other], minlength=FOLDS).min() == 4


def test_public_rows_fold_by_their_id_so_every_intent_is_in_every_fold():
    # Version 9: the validation fold holds unseen queries of intents the model knows, as the report part does.
    ids = [f"b77-{n}" for n in range(400)]
    groups = np.array(["public:b77:compromised_card"] * 200 + ["public:b77:card_arrival"] * 200)
    folds = fold_of(groups, ids)
    for g in set(groups):
        assert sorted(set(folds[groups == g])) == list(range(FOLDS))
    assert (fold_of(groups[::-1], ids[::-1]) == folds[::-1]).all()  # a row's fold is its own, not its position's


def test_topic_report_part_holds_a_fifth_of_every_intent_and_is_never_trained_on():
    public_file("topics", "banking77_train.csv")
    from research.guards import data

    trained = {r["id"] for r in data.topic_training_rows()}
    for rows in (data.banking77(), data.clinc150()):
        report = [r for r in rows if r["topic_part"] == "report"]
        assert not trained & {r["id"] for r in report}
        assert {r["intent"] for r in report} == {r["intent"] for r in rows}
    b77 = data.banking77()
    assert 0.18 < sum(r["topic_part"] == "report" for r in b77) / len(b77) < 0.22


def test_intent_classes_are_the_public_groups_and_written_rows_have_none():
    # Version 11's training-only intent head: one class per public intent, -1 (ignored) for written rows.
    groups = ["train", "public:b77:card_arrival", "public:clinc:find_phone", "public:b77:card_arrival", "routine"]
    assert intent_ids(groups).tolist() == [-1, 0, 1, 0, -1]


def test_every_tuning_query_of_a_lookalike_intent_is_trained_on_and_none_of_its_report_queries():
    public_file("out_of_scope", "clinc150_dev.json")
    from research.guards import data

    trained = {r["id"] for r in data.topic_training_rows()}
    v9 = {r["id"] for r in data.topic_training_rows(lookalikes=False)}
    for intent in data.CLINC_LOOKALIKES:
        rows = [r for r in data.clinc150() if r["intent"] == intent]
        tune = {r["id"] for r in rows if r["topic_part"] == "tune"}
        assert tune <= trained and len(tune & v9) < len(tune)
        assert not trained & {r["id"] for r in rows if r["topic_part"] == "report"}
    assert trained - v9 == {r["id"] for r in data.clinc150() if r["intent"] in data.CLINC_LOOKALIKES and r["topic_part"] == "tune"} - v9


def test_the_export_leaves_the_module_in_eval_mode(tmp_path):
    torch = __import__("pytest").importorskip("torch")  # the training extra (topics-train)
    from research.topics.finetune import export_fp32

    class Wrapper(torch.nn.Module):  # as the exports build one: a new module starts in training mode
        def __init__(self) -> None:
            super().__init__()
            self.dropout = torch.nn.Dropout(0.5)

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.dropout((input_ids * attention_mask + token_type_ids).float()).sum(dim=1)

    wrapper = Wrapper()
    export_fp32(wrapper, tmp_path / "w.onnx", "scores")
    assert (tmp_path / "w.onnx").stat().st_size > 0
    assert not wrapper.training and not wrapper.dropout.training
