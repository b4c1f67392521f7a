#!/usr/bin/env python3
"""Trains the float digits MLP and exports it to ONNX; writes the data set and its fixed split.

Reproduce (from the repository root):
    python3 -m venv .venv && .venv/bin/pip install -r models/digits/requirements.txt
    .venv/bin/python models/digits/train.py
then quantize with `mlproof model import` (see models/digits/README.md).

Data: the UCI "Optical Recognition of Handwritten Digits" set (1,797 8x8 images, 10 classes,
CC BY 4.0) as shipped inside scikit-learn's wheel (sklearn/datasets/data/digits.csv.gz).
Split: stratified, 30 % held out, random_state=0 -> 1,257 train / 540 test, written as indices.
Model: 64 -> 32 (ReLU) -> 10 on pixel/16 in [0, 1], trained with scikit-learn's MLPClassifier.
"""
import json
import pathlib
import shutil

import numpy as np
import onnx
import sklearn
from onnx import TensorProto, helper, numpy_helper
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = pathlib.Path(sklearn.__file__).parent / "datasets" / "data" / "digits.csv.gz"


def main() -> None:
    shutil.copyfile(SRC, ROOT / "data" / "digits.csv.gz")
    raw = np.loadtxt(SRC, delimiter=",")
    x, y = raw[:, :64], raw[:, 64].astype(int)
    idx = np.arange(len(y))
    train, test = train_test_split(idx, test_size=0.3, random_state=0, stratify=y)
    split = {"train": sorted(int(i) for i in train), "test": sorted(int(i) for i in test)}
    (ROOT / "data" / "digits_split.json").write_text(json.dumps(split) + "\n")

    xf = x / 16.0
    clf = MLPClassifier(hidden_layer_sizes=(32,), activation="relu", alpha=1e-3, max_iter=600,
                        random_state=0, tol=1e-6, n_iter_no_change=50)
    clf.fit(xf[train], y[train])
    acc = float((clf.predict(xf[test]) == y[test]).mean())
    print(f"float accuracy on the held-out split: {acc:.4f} ({len(test)} samples)")

    w1, w2 = clf.coefs_
    b1, b2 = clf.intercepts_
    inits = [
        numpy_helper.from_array(w1.T.astype(np.float32), "fc1.weight"),
        numpy_helper.from_array(b1.astype(np.float32), "fc1.bias"),
        numpy_helper.from_array(w2.T.astype(np.float32), "fc2.weight"),
        numpy_helper.from_array(b2.astype(np.float32), "fc2.bias"),
    ]
    nodes = [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h"], name="fc1", transB=1),
        helper.make_node("Relu", ["h"], ["h_relu"], name="relu1"),
        helper.make_node("Gemm", ["h_relu", "fc2.weight", "fc2.bias"], ["logits"], name="fc2", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "digits_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        initializer=inits,
    )
    model = helper.make_model(graph, producer_name="mlproof-train-digits", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, ROOT / "models" / "digits-mlp.onnx")
    (ROOT / "models" / "digits" / "float_accuracy.json").write_text(json.dumps({"digits_mlp": acc}) + "\n")


if __name__ == "__main__":
    main()
