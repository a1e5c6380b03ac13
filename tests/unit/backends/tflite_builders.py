"""Tiny real .tflite files written with LiteRT's own flatbuffer schema (no converter needed):
one FULLY_CONNECTED layer, in fp32 and in int8 with quantised inputs and outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

FULLY_CONNECTED = 9
WEIGHTS = np.array([[0.5, -0.25, 0.125, 1.0], [0.0, 0.75, -0.5, 0.25],
                    [-1.0, 0.5, 0.25, 0.0]], dtype=np.float32)
BIAS = np.array([0.1, -0.2, 0.3], dtype=np.float32)
IN_SCALE, W_SCALE, OUT_SCALE = 0.02, 0.01, 0.02


def expected(x: np.ndarray) -> np.ndarray:
    """Return the layer's exact fp32 output for inputs (N, 4)."""
    return x @ WEIGHTS.T + BIAS


def _write(path: Path, tensors: list, buffers: list[bytes]) -> Path:
    import flatbuffers
    from ai_edge_litert import schema_py_generated as s

    model = s.ModelT()
    model.version = 3
    code = s.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = FULLY_CONNECTED
    code.version = 1
    model.operatorCodes = [code]
    model.buffers = []
    for data in [b"", *buffers]:
        buf = s.BufferT()
        buf.data = list(data) if data else None
        model.buffers.append(buf)
    graph = s.SubGraphT()
    graph.tensors = []
    for name, shape, ttype, buffer, quant in tensors:
        t = s.TensorT()
        t.name, t.shape, t.type, t.buffer = name, list(shape), ttype, buffer
        if quant is not None:
            q = s.QuantizationParametersT()
            q.scale, q.zeroPoint = [quant[0]], [quant[1]]
            t.quantization = q
        graph.tensors.append(t)
    op = s.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = 0, [0, 1, 2], [3]
    op.builtinOptionsType = s.BuiltinOptions.FullyConnectedOptions
    op.builtinOptions = s.FullyConnectedOptionsT()
    graph.inputs, graph.outputs, graph.operators = [0], [3], [op]
    graph.name = "main"
    model.subgraphs = [graph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    path.write_bytes(bytes(builder.Output()))
    return path


def fc_fp32(path: Path, batch: int = 1) -> Path:
    """Write the fp32 layer: input 'x' (batch, 4) float32 -> (batch, 3)."""
    from ai_edge_litert.schema_py_generated import TensorType as T

    return _write(path, [("x", (batch, 4), T.FLOAT32, 0, None),
                         ("w", (3, 4), T.FLOAT32, 1, None),
                         ("b", (3,), T.FLOAT32, 2, None),
                         ("y", (batch, 3), T.FLOAT32, 0, None)],
                  [WEIGHTS.tobytes(), BIAS.tobytes()])


def fc_int8(path: Path, batch: int = 1) -> Path:
    """Write the int8 layer: int8 input, weights and output, int32 bias (TFLite's scheme)."""
    from ai_edge_litert.schema_py_generated import TensorType as T

    w_q = np.clip(np.rint(WEIGHTS / W_SCALE), -127, 127).astype(np.int8)
    b_q = np.rint(BIAS / (IN_SCALE * W_SCALE)).astype(np.int32)
    return _write(path, [("x", (batch, 4), T.INT8, 0, (IN_SCALE, 0)),
                         ("w", (3, 4), T.INT8, 1, (W_SCALE, 0)),
                         ("b", (3,), T.INT32, 2, (IN_SCALE * W_SCALE, 0)),
                         ("y", (batch, 3), T.INT8, 0, (OUT_SCALE, 0))],
                  [w_q.tobytes(), b_q.tobytes()])
