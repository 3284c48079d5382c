"""The shipped run: the file that regenerates byte for byte, the models compared with the CNN, and the
confusion matrices read from its predictions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from filters.fashion_mnist import load_items
from filters.network import (
    CLASSES,
    DENSE_INPUTS,
    MODEL_KINDS,
    SHIPPED_SETTINGS,
    TrainingSettings,
    confusion_cell,
    confusion_matrix,
    predict,
    train,
)
from filters.trained_network import COMPARED, from_bytes, load_shipped, main, record, to_bytes

EPOCH_FIELDS = ("number", "train_loss", "held_out_loss", "train_correct", "held_out_correct")


def test_a_run_reads_back_as_it_was_written_with_its_comparisons():
    settings = TrainingSettings(epochs=1, seed=3)
    run = record(settings)
    assert set(run.training_seconds) == set(MODEL_KINDS)
    data = to_bytes(run)
    back = from_bytes(data)
    assert to_bytes(back) == data
    assert back.training_seconds == {} and list(back.comparisons) == list(COMPARED)
    for kind in COMPARED:
        trained_alone = list(train(dataclasses.replace(settings, kind=kind)))
        for ours, alone in zip(back.history(kind), trained_alone, strict=True):
            assert ours.network is None and alone.network is None
            assert [getattr(ours, name) for name in EPOCH_FIELDS] == [
                getattr(alone, name) for name in EPOCH_FIELDS
            ]
            assert np.array_equal(ours.held_out_predictions, alone.held_out_predictions)
    with pytest.raises(ValueError, match="Not a training run"):
        from_bytes(b"PK not a zip")
    with pytest.raises(ValueError, match="compared"):
        record(settings, compared=("cnn",))


def test_the_documented_command_regenerates_the_shipped_file_byte_for_byte(capsys):
    """``python -m filters.trained_network --check`` trains all three models and compares every byte."""
    assert main(["--check"]) == 0
    printed = capsys.readouterr().out
    assert "the same bytes" in printed
    assert "held-out accuracy 79.4% (143/180)" in printed and "(126/180)" in printed


def test_the_shipped_run_has_a_snapshot_for_every_epoch():
    run = load_shipped()
    assert run.settings == SHIPPED_SETTINGS
    assert len(run.epochs) == SHIPPED_SETTINGS.epochs + 1 and [e.number for e in run.epochs] == list(
        range(SHIPPED_SETTINGS.epochs + 1)
    )
    assert not np.array_equal(run.epochs[0].network.kernels, run.final.kernels)
    items = load_items()
    predicted = predict(run.final, items.images[run.split.held_out])
    assert np.array_equal(predicted, run.epochs[-1].held_out_predictions)
    assert run.epochs[-1].held_out_correct >= 141, "the issue's budget: 78% of the 180 held out"


def test_the_shipped_run_compares_the_cnn_with_a_dense_network_and_with_no_pooling():
    run = load_shipped()
    finals = {kind: run.history(kind)[-1] for kind in MODEL_KINDS}
    for kind in MODEL_KINDS:
        assert [epoch.number for epoch in run.history(kind)] == list(range(SHIPPED_SETTINGS.epochs + 1))
    assert finals["cnn"].held_out_accuracy > finals["dense"].held_out_accuracy
    assert [DENSE_INPUTS[kind] for kind in MODEL_KINDS] == [1352, 5408, 784]
    assert [finals[kind].held_out_correct for kind in MODEL_KINDS] == [143, 142, 126]


def test_the_confusion_matrix_of_every_epoch_holds_its_correct_items_on_the_diagonal():
    run, items = load_shipped(), load_items()
    labels = items.labels[run.split.held_out]
    for kind in MODEL_KINDS:
        for epoch in run.history(kind):
            matrix = confusion_matrix(labels, epoch.held_out_predictions)
            assert np.trace(matrix) == epoch.held_out_correct
            assert list(matrix.sum(axis=1)) == [18] * CLASSES  # 18 of each class held out
    predictions = run.epochs[-1].held_out_predictions
    matrix = confusion_matrix(labels, predictions)
    cells = [
        confusion_cell(run.split.held_out, labels, predictions, true, predicted)
        for true in range(CLASSES)
        for predicted in range(CLASSES)
    ]
    assert [len(cell) for cell in cells] == list(matrix.ravel())
    for cell in cells:
        assert list(cell) == sorted(cell)  # held_out order, which is sorted
    assert sorted(np.concatenate(cells)) == list(run.split.held_out)
    true, predicted = 6, 0  # shirts taken for T-shirts, the classic mix-up
    cell = confusion_cell(run.split.held_out, labels, predictions, true, predicted)
    assert len(cell) == matrix[true, predicted] > 0
    for index in cell:
        assert items.labels[index] == true and predict(run.final, items.images[[index]])[0] == predicted
