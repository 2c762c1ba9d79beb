"""ONNX: the network as a graph any ONNX runtime can run, built from the weights with onnx.helper.

    input [batch, n_in] ─ Gemm(W₀, b₀, transB=1) ─ hidden activation ─ ... ─ Gemm(W_L, b_L) ─ output activation ─ output [batch, n_out]

Gemm computes a Wᵀ + b with W stored as (n_out, n_in), exactly as the engine does. Activations map to
Sigmoid, Tanh, Relu, Identity (linear), Softmax (last axis) and, for leaky_relu, PRelu with a float64 slope
tensor of 0.01: LeakyRelu's alpha is an attribute, and ONNX attributes are 32-bit floats, which would put
the slope (and the outputs) off by about 1e-9.
Everything is float64 (ONNX DOUBLE): onnxruntime's CPU kernels for all of these ops exist in double, so
its outputs agree with the engine to about 1e-15, well inside the 1e-6 asked for. Feed it float64 inputs.
Opset 17 with IR version 8, so onnxruntime 1.13 and later load it; the batch dimension is dynamic.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from app import __version__
from app.nn.activations import LEAKY_SLOPE

OPSET = 17
IR_VERSION = 8  # the IR version that goes with opset 17

_OPS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "leaky_relu": "PRelu", "linear": "Identity",
        "softmax": "Softmax"}
LEAKY_SLOPE_NAME = "leaky_relu.slope"


def to_onnx(document: dict[str, Any], *, name: str | None = None, class_names: list[str] | None = None) -> bytes:
    import onnx  # a dependency, imported here so that starting the server does not wait for it
    from onnx import TensorProto, helper, numpy_helper

    sizes = document["layer_sizes"]
    n_layers = len(sizes) - 1
    nodes, initializers = [], []
    previous = "input"
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = l == n_layers - 1
        W = np.array(document["W"][l], dtype=np.float64).reshape(n_out, n_in)
        b = np.array(document["b"][l], dtype=np.float64).reshape(n_out)
        initializers += [numpy_helper.from_array(W, f"layers.{l}.weight"),
                         numpy_helper.from_array(b, f"layers.{l}.bias")]
        z = f"layers.{l}.z"
        nodes.append(helper.make_node("Gemm", [previous, f"layers.{l}.weight", f"layers.{l}.bias"], [z],
                                      name=f"layers.{l}.gemm", transB=1))
        activation = document["output_activation"] if last else document["hidden_activation"]
        a = "output" if last else f"layers.{l}.a"
        attributes: dict[str, Any] = {}
        inputs = [z]
        if activation == "leaky_relu":
            inputs.append(LEAKY_SLOPE_NAME)
            if not any(t.name == LEAKY_SLOPE_NAME for t in initializers):
                initializers.append(numpy_helper.from_array(np.array([LEAKY_SLOPE], dtype=np.float64),
                                                            LEAKY_SLOPE_NAME))
        elif activation == "softmax":
            attributes["axis"] = -1
        nodes.append(helper.make_node(_OPS[activation], inputs, [a], name=f"layers.{l}.{activation}", **attributes))
        previous = a

    graph = helper.make_graph(
        nodes, "backprop_lab_network",
        [helper.make_tensor_value_info("input", TensorProto.DOUBLE, ["batch", sizes[0]])],
        [helper.make_tensor_value_info("output", TensorProto.DOUBLE, ["batch", sizes[-1]])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="backprop-lab", producer_version=__version__,
                              doc_string=f"Backprop Lab network {name or ''}".strip())
    model.ir_version = IR_VERSION
    properties = {
        "layer_sizes": json.dumps(sizes),
        "hidden_activation": document.get("hidden_activation") or "none",
        "output_activation": document["output_activation"],
        "loss": document["loss"],
    }
    if name is not None:
        properties["name"] = name
    if class_names is not None:
        properties["class_names"] = json.dumps(class_names, ensure_ascii=False)
    helper.set_model_props(model, properties)
    onnx.checker.check_model(model, full_check=True)
    return model.SerializeToString()
