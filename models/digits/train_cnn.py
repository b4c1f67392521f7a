#!/usr/bin/env python3
"""Trains the float digits CNN with numpy and exports it to ONNX.

Reproduce (from the repository root, after models/digits/train.py wrote data/):
    .venv/bin/python models/digits/train_cnn.py
then quantize with `mlproof model import` (see models/digits/README.md).

Model: [1, 8, 8] (pixel/16) -> Conv 3x3, 8 channels, padding 1 -> ReLU -> MaxPool 2x2 -> Flatten (128)
-> Gemm 10. Trained on the fixed training split with minibatch SGD + momentum on softmax cross-entropy.
"""
import json
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parents[2]
rng = np.random.default_rng(0)


def im2col(x):  # x: (N, 8, 8) -> (N, 64, 9) patches of the zero-padded image
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    cols = [p[:, dy:dy + 8, dx:dx + 8] for dy in range(3) for dx in range(3)]
    return np.stack(cols, axis=-1).reshape(x.shape[0], 64, 9)


def forward(x, w1, b1, w2, b2):
    cols = im2col(x)                                  # (N, 64, 9)
    conv = cols @ w1.reshape(8, 9).T + b1             # (N, 64, 8) position-major
    relu = np.maximum(conv, 0).reshape(-1, 8, 8, 8)   # (N, H, W, C)
    pooled = relu.reshape(-1, 4, 2, 4, 2, 8).max(axis=(2, 4))  # (N, 4, 4, C)
    flat = pooled.transpose(0, 3, 1, 2).reshape(-1, 128)       # CHW order, as ONNX Flatten
    return cols, conv, relu, pooled, flat, flat @ w2.T + b2


def main() -> None:
    raw = np.loadtxt(ROOT / "data" / "digits.csv.gz", delimiter=",")
    x, y = raw[:, :64].reshape(-1, 8, 8) / 16.0, raw[:, 64].astype(int)
    split = json.loads((ROOT / "data" / "digits_split.json").read_text())
    tr, te = np.array(split["train"]), np.array(split["test"])

    w1 = rng.normal(0, 0.3, (8, 1, 3, 3)); b1 = np.zeros(8)
    w2 = rng.normal(0, 0.1, (10, 128)); b2 = np.zeros(10)
    params = [w1, b1, w2, b2]
    vel = [np.zeros_like(p) for p in params]
    lr, mom, batch = 0.05, 0.9, 32
    for epoch in range(60):
        order = rng.permutation(tr)
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            xb, yb = x[idx], y[idx]
            cols, conv, relu, pooled, flat, logits = forward(xb, *params)
            p = np.exp(logits - logits.max(axis=1, keepdims=True)); p /= p.sum(axis=1, keepdims=True)
            g = p; g[np.arange(len(yb)), yb] -= 1; g /= len(yb)           # dL/dlogits
            gw2 = g.T @ flat; gb2 = g.sum(0)
            gflat = g @ params[2]                                          # (B, 128) CHW
            gpool = gflat.reshape(-1, 8, 4, 4).transpose(0, 2, 3, 1)       # (B, 4, 4, C)
            r6 = relu.reshape(-1, 4, 2, 4, 2, 8)
            mask = r6 == pooled[:, :, None, :, None, :]
            grelu = (mask * gpool[:, :, None, :, None, :]).reshape(-1, 8, 8, 8)
            gconv = grelu * (conv.reshape(-1, 8, 8, 8) > 0)
            gw1 = np.einsum("npc,npk->ck", gconv.reshape(-1, 64, 8), cols).reshape(8, 1, 3, 3)
            gb1 = gconv.sum(axis=(0, 1, 2))
            for i, gp in enumerate([gw1, gb1, gw2, gb2]):
                vel[i] = mom * vel[i] - lr * (gp + (1e-4 * params[i] if i in (0, 2) else 0))
                params[i] += vel[i]
    acc = float((forward(x[te], *params)[-1].argmax(1) == y[te]).mean())
    print(f"float accuracy on the held-out split: {acc:.4f} ({len(te)} samples)")

    w1, b1, w2, b2 = params
    inits = [
        numpy_helper.from_array(w1.astype(np.float32), "conv1.weight"),
        numpy_helper.from_array(b1.astype(np.float32), "conv1.bias"),
        numpy_helper.from_array(w2.astype(np.float32), "fc.weight"),
        numpy_helper.from_array(b2.astype(np.float32), "fc.bias"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p1"], ["f1"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f1", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "digits_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        initializer=inits,
    )
    model = helper.make_model(graph, producer_name="mlproof-train-digits-cnn", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, ROOT / "models" / "digits-cnn.onnx")
    path = ROOT / "models" / "digits" / "float_accuracy.json"
    accs = json.loads(path.read_text())
    accs["digits_cnn"] = acc
    path.write_text(json.dumps(accs) + "\n")


if __name__ == "__main__":
    main()
