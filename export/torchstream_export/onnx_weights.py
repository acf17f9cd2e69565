"""Rebuilds a transformers checkpoint from the weights inside a BERT-family ONNX graph.

Some models are published only as (quantized) ONNX graphs. The exporter traces transformers models, so
this module turns such a graph back into a ``save_pretrained`` folder that the exporter reads like any
other: it reads every weight out of the graph, dequantizes the quantized ones exactly as onnxruntime
does, names each after the transformers parameter it came from, loads them strictly into the model that
the folder's config.json describes, and checks the rebuilt model against onnxruntime on real texts before
anything is written.

Weights the graph may hold, and how each is named:

* ``com.microsoft.MatMulNBits`` (block-wise 4-bit weights of a linear layer), a plain ``MatMul``
  with a constant weight, or a ``MatMul`` whose weight is a ``DequantizeLinear`` of constants: the
  weight of a linear layer. Its name comes from the graph: the layer's output feeds an ``Add`` with the
  bias initializer, which keeps its transformers name (``bert.encoder.layer.0.attention.self.query.bias``
  names ``...query.weight``); without one, from the node's name (``/bert/encoder/layer.0/attention/self/
  query/MatMul_Q4``).
* ``DequantizeLinear`` of a constant table, before or after the ``Gather`` that looks it up: an
  embedding. Its name is the quantized initializer's less ``_quantized`` (as onnxruntime's quantizer
  names it), else from the Gather's node name.
* Any other float initializer whose name is a parameter of the model (LayerNorm weights, biases, float
  embeddings), as it is.

The dequantized values are exactly those onnxruntime computes (same integer arithmetic, one float32
multiply), so the rebuilt model differs from onnxruntime on the graph only by float summation order.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import AutoConfig, AutoTokenizer
from transformers.modeling_utils import no_init_weights

from . import ExportError
from .corpus import VERIFY_TEXTS
from .exporter import _staged
from .trace import _MODEL_CLASSES

log = logging.getLogger("torchstream.export")

MS_DOMAIN = "com.microsoft"
# The MatMulNBits widths checked here against onnxruntime's CPU kernel (its fp32 path runs 4 bits only).
NBITS_SUPPORTED = (4,)
# Integer types DequantizeLinear may dequantize (float8 types have no zero point arithmetic to redo).
_DQ_INTEGER_TYPES = {"int4", "uint4", "int8", "uint8", "int16", "uint16", "int32"}
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
                   "vocab.json", "merges.txt", "added_tokens.json", "sentencepiece.bpe.model", "spiece.model")
# Copied beside the weights when the config folder has them: a rebuilt model carries its licence.
LICENCE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "NOTICE", "NOTICE.md", "NOTICE.txt")
PROVENANCE_FILE = "onnx_source.json"


# --- dequantization --------------------------------------------------------------------------------

def unpack_nbits(packed: np.ndarray, bits: int) -> np.ndarray:
    """uint8 [..., n] holding 8/bits values per byte, lowest bits first -> uint8 [..., n * 8 // bits]."""
    if bits not in (1, 2, 4, 8):
        raise ExportError(f"cannot unpack {bits}-bit values: only widths that divide a byte")
    packed = np.asarray(packed, dtype=np.uint8)
    per_byte = 8 // bits
    shifts = (np.arange(per_byte, dtype=np.uint8) * bits).astype(np.uint8)
    values = (packed[..., None] >> shifts) & np.uint8((1 << bits) - 1)
    return values.reshape(*packed.shape[:-1], packed.shape[-1] * per_byte)


def dequantize_matmul_nbits(b: np.ndarray, scales: np.ndarray, zero_points: np.ndarray | None = None, *,
                            k: int, n: int, bits: int, block_size: int) -> np.ndarray:
    """The float32 weight [N, K] (nn.Linear.weight's layout: out x in) of a com.microsoft.MatMulNBits node,
    which computes Y = A @ W.T.

    b: uint8 [N, n_blocks, blob_size] (or flat), each row of K values cut into blocks of block_size, each
    block packed 8/bits values a byte, low bits first. scales: [N * n_blocks] or [N, n_blocks].
    zero_points: packed like b, one run of ceil(n_blocks * bits / 8) bytes per row (a last odd block
    leaves the high half of its byte unused); absent means 2^(bits-1) (8 for 4 bits).
    W[n, k] = (q[n, k] - zero_point[n, k // block_size]) * scale[n, k // block_size], in integers then one
    float32 multiply, as onnxruntime computes it (equal to its output bit for bit)."""
    if bits not in NBITS_SUPPORTED:
        raise ExportError(f"MatMulNBits with bits={bits}: only {NBITS_SUPPORTED} are supported")
    if block_size < 16 or block_size & (block_size - 1):
        raise ExportError(f"MatMulNBits block_size must be a power of 2 >= 16, got {block_size}")
    n_blocks = math.ceil(k / block_size)
    blob_size = block_size * bits // 8
    b = np.asarray(b)
    if b.dtype != np.uint8 or b.size != n * n_blocks * blob_size:
        raise ExportError(f"MatMulNBits weight is {b.dtype} {list(b.shape)}; expected uint8 "
                          f"[{n}, {n_blocks}, {blob_size}] for K={k}, N={n}, bits={bits}, block_size={block_size}")
    q = unpack_nbits(b.reshape(n, n_blocks, blob_size), bits).reshape(n, n_blocks * block_size)[:, :k]
    scales = np.asarray(scales)
    if scales.dtype != np.float32 or scales.size != n * n_blocks:
        raise ExportError(f"MatMulNBits scales are {scales.dtype} {list(scales.shape)}; expected float32 "
                          f"[{n}, {n_blocks}] or [{n * n_blocks}]")
    scales = scales.reshape(n, n_blocks)
    if zero_points is None:
        zp = np.full((n, n_blocks), 1 << (bits - 1), dtype=np.int32)
    else:
        zero_points = np.asarray(zero_points)
        row = math.ceil(n_blocks * bits / 8)
        if zero_points.dtype != np.uint8:
            raise ExportError(f"MatMulNBits zero points of type {zero_points.dtype}: only packed uint8 is supported")
        if zero_points.size != n * row:
            raise ExportError(f"MatMulNBits zero points have {zero_points.size} bytes; expected {n} rows of {row}")
        zp = unpack_nbits(zero_points.reshape(n, row), bits)[:, :n_blocks].astype(np.int32)
    block_of = np.arange(k) // block_size
    return (q.astype(np.int32) - zp[:, block_of]).astype(np.float32) * scales[:, block_of]


def dequantize_linear(x: np.ndarray, scale: np.ndarray, zero_point: np.ndarray | None = None, axis: int = 1,
                      block_size: int = 0) -> np.ndarray:
    """ONNX DequantizeLinear: y = (x - zero_point) * scale, in float32. Per tensor (scalar or one-element
    scale), per axis (1-D scale along axis) or, with block_size, per block along axis (scale of x's rank)."""
    x = np.asarray(x)
    if str(x.dtype) not in _DQ_INTEGER_TYPES:
        raise ExportError(f"DequantizeLinear of {x.dtype}: only integer types are supported")
    scale = np.asarray(scale)
    if scale.dtype != np.float32:
        raise ExportError(f"DequantizeLinear scale of {scale.dtype}: only float32 is supported")
    zp = np.zeros(scale.shape, dtype=np.int64) if zero_point is None else np.asarray(zero_point)
    if zero_point is not None and zp.dtype != x.dtype:
        raise ExportError(f"DequantizeLinear zero point is {zp.dtype}, its input {x.dtype}: they must be one type")
    if zp.shape != scale.shape:
        raise ExportError(f"DequantizeLinear zero point {list(zp.shape)} and scale {list(scale.shape)} differ")
    xi, zi = x.astype(np.int64), zp.astype(np.int64)
    if block_size == 0 and scale.size == 1 and scale.ndim <= 1:
        return (xi - zi.reshape(())).astype(np.float32) * scale.reshape(())
    if not -x.ndim <= axis < x.ndim:
        raise ExportError(f"DequantizeLinear axis {axis} is out of range for a rank-{x.ndim} input")
    axis %= x.ndim
    if block_size == 0:
        if scale.shape != (x.shape[axis],):
            raise ExportError(f"DequantizeLinear per-axis scale {list(scale.shape)} does not match axis {axis} "
                              f"of {list(x.shape)}")
        shape = [1] * x.ndim
        shape[axis] = -1
        return (xi - zi.reshape(shape)).astype(np.float32) * scale.reshape(shape)
    expected = list(x.shape)
    expected[axis] = math.ceil(x.shape[axis] / block_size)
    if list(scale.shape) != expected:
        raise ExportError(f"DequantizeLinear blocked scale {list(scale.shape)}; expected {expected}")
    scale = np.repeat(scale, block_size, axis=axis).take(range(x.shape[axis]), axis=axis)
    zi = np.repeat(zi, block_size, axis=axis).take(range(x.shape[axis]), axis=axis)
    return (xi - zi).astype(np.float32) * scale


# --- reading the graph -----------------------------------------------------------------------------

@dataclass
class GraphWeights:
    """The weights found in a graph, by transformers name, and where each came from."""

    tensors: dict[str, np.ndarray] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    # Float initializers taken because they are named like parameters; the others were found by the graph.
    by_name: set[str] = field(default_factory=set)

    def add(self, name: str, array: np.ndarray, origin: str, by_name: bool = False) -> None:
        if name in self.tensors:
            raise ExportError(f"two tensors of the graph claim {name}: {self.origins[name]} and {origin}")
        self.tensors[name] = np.ascontiguousarray(array)
        self.origins[name] = origin
        if by_name:
            self.by_name.add(name)


def _onnx():
    """onnx, which only this module needs: a clear refusal without it."""
    try:
        import onnx
    except ImportError:
        raise ExportError("reading ONNX graphs needs the onnx package (and onnxruntime to check the result)")
    return onnx


def _attrs(node) -> dict:
    return {a.name: _onnx().helper.get_attribute_value(a) for a in node.attribute}


def _module_path(node_name: str) -> str | None:
    """'/bert/encoder/layer.0/attention/self/query/MatMul_Q4' -> 'bert.encoder.layer.0.attention.self.query'."""
    parts = [p for p in node_name.split("/") if p]
    return ".".join(parts[:-1]) or None


class _Graph:
    def __init__(self, model):
        numpy_helper = _onnx().numpy_helper

        self.graph = model.graph
        self.constants: dict[str, np.ndarray] = {i.name: numpy_helper.to_array(i) for i in self.graph.initializer}
        for node in self.graph.node:  # in topological order, as ONNX requires
            if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
                value = _attrs(node).get("value")
                if value is not None:
                    self.constants[node.output[0]] = numpy_helper.to_array(value)
            elif node.op_type == "Identity" and node.input[0] in self.constants:
                # torch.onnx.export keeps one of several equal initializers and names the others by Identity.
                self.constants[node.output[0]] = self.constants[node.input[0]]
        self.producer = {out: node for node in self.graph.node for out in node.output}
        self.consumers: dict[str, list] = {}
        for node in self.graph.node:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)
        self.used: set[str] = set()

    def const(self, name: str) -> np.ndarray | None:
        return self.constants.get(name) if name else None

    def input(self, node, i: int) -> str:
        return node.input[i] if len(node.input) > i else ""

    def dequantized_constant(self, name: str):
        """(array, initializer name, description) if name is a DequantizeLinear of constants, else None."""
        node = self.producer.get(name)
        if node is None or node.op_type != "DequantizeLinear" or node.domain not in ("", "ai.onnx"):
            return None
        x = self.const(node.input[0])
        scale = self.const(self.input(node, 1))
        if x is None or scale is None:
            return None
        zp_name = self.input(node, 2)
        attrs = _attrs(node)
        array = dequantize_linear(x, scale, self.const(zp_name), attrs.get("axis", 1), attrs.get("block_size", 0))
        self.used.update(n for n in (node.input[0], node.input[1], zp_name) if n)
        self.used.add(node.output[0])
        return array, node.input[0], f"DequantizeLinear {node.name} ({x.dtype}, scale {list(scale.shape)})"

    def linear_prefix(self, node) -> tuple[str | None, str | None]:
        """The transformers module a linear node belongs to, and the bias initializer after it (if any)."""
        for consumer in self.consumers.get(node.output[0], []):
            if consumer.op_type == "Add" and len(self.consumers[node.output[0]]) == 1:
                other = [i for i in consumer.input if i != node.output[0]]
                if len(other) == 1 and other[0].endswith(".bias") and self.const(other[0]) is not None:
                    return other[0][: -len(".bias")], other[0]
        return _module_path(node.name), None


def read_weights(onnx_path: str | Path) -> GraphWeights:
    """Every weight in the graph, dequantized to float32, by transformers parameter name."""
    model = _onnx().load(str(onnx_path))
    g = _Graph(model)
    weights = GraphWeights()

    for node in g.graph.node:
        if node.op_type == "MatMulNBits" and node.domain == MS_DOMAIN:
            attrs = _attrs(node)
            k, n = attrs["K"], attrs["N"]
            names = [g.input(node, i) for i in range(6)]  # A, B, scales, zero_points, g_idx, bias
            b, scales = g.const(names[1]), g.const(names[2])
            if b is None or scales is None:
                raise ExportError(f"MatMulNBits {node.name}: its weight or scales are not constants of the graph")
            zp_name, gidx_name, bias_name = names[3], names[4], names[5]
            if gidx_name:
                # onnxruntime's kernel reads zero points differently with g_idx; not reproduced here.
                raise ExportError(f"MatMulNBits {node.name} has g_idx (act-order blocks), which is not supported")
            zero_points = g.const(zp_name)
            if zp_name and zero_points is None:
                raise ExportError(f"MatMulNBits {node.name}: its zero points are not constants of the graph")
            weight = dequantize_matmul_nbits(b, scales, zero_points, k=k, n=n, bits=attrs.get("bits", 4),
                                             block_size=attrs["block_size"])
            prefix, bias_after = g.linear_prefix(node)
            if prefix is None:
                raise ExportError(f"MatMulNBits {node.name or node.output[0]}: no bias after it and no node name to "
                                  "tell which transformers layer it is")
            kind = (f"MatMulNBits {node.name} ({attrs.get('bits', 4)}-bit, block {attrs['block_size']}, "
                    f"{'zero points' if zero_points is not None else 'symmetric'})")
            weights.add(prefix + ".weight", weight, kind)
            if bias_name:
                bias = g.const(bias_name)
                if bias is None or bias_after:
                    raise ExportError(f"MatMulNBits {node.name}: a bias input that is not a constant, or two biases")
                weights.add(prefix + ".bias", bias.astype(np.float32), f"bias of {kind}")
            g.used.update(x for x in names[1:] if x)
        elif node.op_type == "MatMul" and node.domain in ("", "ai.onnx"):
            name_b = node.input[1]
            b, source, kind = g.const(name_b), name_b, "MatMul"
            if b is None:
                found = g.dequantized_constant(name_b)
                if found is None:
                    continue  # activations times activations (attention scores)
                b, source, kind = found[0], found[1], found[2] + " -> MatMul"
            if b.ndim != 2 or b.dtype != np.float32:
                continue
            prefix, _ = g.linear_prefix(node)
            if prefix is None:
                raise ExportError(f"MatMul {node.output[0]}: a constant weight that no bias or node name names")
            weights.add(prefix + ".weight", b.T, f"{kind} {node.name} weight {source}")  # [K, N] -> [N, K]
            g.used.add(name_b)
        elif node.op_type == "Gather" and node.domain in ("", "ai.onnx"):
            table = g.const(node.input[0])
            if table is None or table.dtype == np.float32:
                continue
            dqs = g.consumers.get(node.output[0], [])
            if len(dqs) != 1 or dqs[0].op_type != "DequantizeLinear":
                continue
            dq = dqs[0]
            if _attrs(node).get("axis", 0) != 0:
                raise ExportError(f"Gather {node.name} looks up axis {_attrs(node)['axis']}; an embedding looks up 0")
            scale, zp_name = g.const(g.input(dq, 1)), g.input(dq, 2)
            if scale is None or (zp_name and g.const(zp_name) is None):
                raise ExportError(f"DequantizeLinear {dq.name}: its scale or zero point is not a constant")
            axis = _table_axis(g, dq, node, table.ndim)
            array = dequantize_linear(table, scale, g.const(zp_name), axis, _attrs(dq).get("block_size", 0))
            name = _embedding_name(node.input[0], node.name)
            weights.add(name, array, f"Gather {node.name} -> DequantizeLinear {dq.name} ({table.dtype})")
            g.used.update(x for x in (node.input[0], dq.input[1], zp_name) if x)

    # DequantizeLinear of a constant that no MatMul took: an embedding table dequantized before its Gather,
    # or another quantized parameter.
    for node in g.graph.node:
        if node.op_type == "DequantizeLinear" and node.output[0] not in g.used:
            found = g.dequantized_constant(node.output[0])
            if found is not None:
                array, source, kind = found
                weights.add(_embedding_name(source, _gather_name(g, node)), array, kind)

    for name, array in g.constants.items():
        if name not in g.used and name not in weights.tensors and array.dtype == np.float32 and "." in name \
                and not name.startswith(("onnx::", "/")):
            weights.add(name, array, f"initializer {name}", by_name=True)
    return weights


def _embedding_name(initializer: str, node_name: str | None) -> str:
    if initializer.endswith("_quantized"):
        return initializer[: -len("_quantized")]
    path = _module_path(node_name or "")
    if path is None:
        raise ExportError(f"the quantized table {initializer} has no name that tells which embedding it is")
    return path + ".weight"


def _gather_name(g: _Graph, dq) -> str | None:
    gathers = [c for c in g.consumers.get(dq.output[0], []) if c.op_type == "Gather"]
    return gathers[0].name if gathers else None


def _table_axis(g: _Graph, dq, gather, table_rank: int) -> int:
    """The table axis that a DequantizeLinear after a Gather quantizes along (its axis is the output's)."""
    scale = g.const(g.input(dq, 1))
    if scale.size == 1 and _attrs(dq).get("block_size", 0) == 0:
        return 0  # per tensor: no axis
    axis = _attrs(dq).get("axis", 1)
    if axis < 0:
        if -axis >= table_rank:
            raise ExportError(f"DequantizeLinear {dq.name} quantizes along the looked-up axis; cannot dequantize")
        return table_rank + axis
    rank = _rank(g, gather.input[1])
    if rank is None:
        raise ExportError(f"DequantizeLinear {dq.name}: axis {axis} after Gather {gather.name}, whose indices have "
                          "no known rank")
    if axis < rank:
        raise ExportError(f"DequantizeLinear {dq.name} quantizes along the looked-up axis; cannot dequantize")
    return axis - rank + 1


def _rank(g: _Graph, name: str) -> int | None:
    for info in list(g.graph.input) + list(g.graph.value_info):
        if info.name == name and info.type.tensor_type.HasField("shape"):
            return len(info.type.tensor_type.shape.dim)
    return None


# --- rebuilding the checkpoint ---------------------------------------------------------------------

def build_model(config_dir: Path, task: str | None = None):
    """The transformers model config.json describes, its weights uninitialised, in eval mode."""

    config = AutoConfig.from_pretrained(str(config_dir))
    if task is not None:
        model_class = _MODEL_CLASSES[task]
        if type(config) not in model_class._model_mapping:
            raise ExportError(f"transformers has no {task} head for model type '{config.model_type}'")
        build = model_class.from_config
    else:
        architectures = getattr(config, "architectures", None) or []
        if len(architectures) != 1 or not hasattr(transformers, architectures[0]):
            raise ExportError(f"{config_dir}/config.json names architectures {architectures}; pass --task to "
                              "choose the model class")
        build = getattr(transformers, architectures[0])
    with no_init_weights():  # every parameter is about to be replaced by the graph's
        return build(config).eval()


def state_dict_for(model, weights: GraphWeights) -> dict:
    """The graph's weights as the model's state dict; refuses a parameter left unset, a shape that differs,
    or a graph weight the model has no parameter for. A buffer the graph lacks (position_ids, which some
    versions save) keeps the model's own value."""
    expected = model.state_dict()
    buffers = {name for name, _ in model.named_buffers()}
    missing = [name for name in expected if name not in weights.tensors and name not in buffers]
    if missing:
        raise ExportError(f"the graph holds no weight for {', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}"
                          f" ({len(missing)} of {len(expected)} parameters of {type(model).__name__}); "
                          "is config.json the graph's?")
    # A float initializer named like a parameter may be some other constant; a weight the graph's
    # structure says is a linear layer or an embedding must be one of the model's.
    ignored = sorted(name for name in weights.tensors if name not in expected and name in weights.by_name)
    if ignored:
        log.info("not parameters of %s, left out: %s", type(model).__name__, ", ".join(ignored))
    unknown = [name for name in weights.tensors if name not in expected and name not in weights.by_name]
    if unknown:
        raise ExportError(f"{type(model).__name__} has no parameter {unknown[0]} ({weights.origins[unknown[0]]})"
                          f"{f' and {len(unknown) - 1} more' if len(unknown) > 1 else ''}; is config.json the graph's?")
    state = {}
    for name, param in expected.items():
        if name not in weights.tensors:
            state[name] = param  # a buffer
            continue
        array = weights.tensors[name]
        if tuple(array.shape) != tuple(param.shape):
            raise ExportError(f"{name}: the graph's {weights.origins[name]} has shape {list(array.shape)}, "
                              f"{type(model).__name__} {list(param.shape)}; is config.json the graph's?")
        state[name] = torch.from_numpy(np.array(array, dtype=np.float32)).to(param.dtype)
    return state


@dataclass(frozen=True)
class RebuildOptions:
    onnx: Path
    config_dir: Path
    out: Path
    task: str | None = None
    verify_texts: list | None = None
    tolerance: float = 1e-3
    force: bool = False

    def __post_init__(self) -> None:
        if not self.tolerance > 0:
            raise ExportError(f"--tolerance must be > 0, got {self.tolerance}")


def rebuild(options: RebuildOptions) -> dict:
    """Rebuilds the checkpoint, checks it against onnxruntime on the graph, and writes save_pretrained output
    (safetensors) with the tokenizer files; returns what was checked. Nothing is written on a refusal."""

    onnx_path, config_dir, out = Path(options.onnx), Path(options.config_dir), Path(options.out)
    if out.exists() and any(out.iterdir()) and not options.force:
        raise ExportError(f"{out} exists and is not empty; choose another --out or pass --force")
    if not (config_dir / "config.json").is_file():
        raise ExportError(f"{config_dir} has no config.json")
    if not onnx_path.is_file():
        raise ExportError(f"{onnx_path} does not exist")
    weights = read_weights(onnx_path)
    model = build_model(config_dir, options.task)
    model.load_state_dict(state_dict_for(model, weights), strict=True)
    log.info("rebuilt %s from %d tensors of %s", type(model).__name__, len(weights.tensors), onnx_path.name)
    tokenizer = _load_tokenizer(config_dir)
    texts = list(options.verify_texts or VERIFY_TEXTS)
    check = compare_with_onnxruntime(model, tokenizer, onnx_path, texts)
    log.info("against onnxruntime on %d texts: max abs diff %.3g, argmax agreement %.4f", len(texts),
             check["max_abs_diff"], check["argmax_agreement"])
    if not check["max_abs_diff"] <= options.tolerance:
        raise ExportError(f"the rebuilt model differs from onnxruntime on {onnx_path.name} by "
                          f"{check['max_abs_diff']:.3g} (tolerance {options.tolerance:g}); nothing was written")
    with _staged(out) as staging:
        model.save_pretrained(staging, safe_serialization=True)
        copied = [name for name in TOKENIZER_FILES + LICENCE_FILES if (config_dir / name).is_file()]
        for name in copied:
            shutil.copyfile(config_dir / name, staging / name)
        provenance = {
            "onnx": onnx_path.name,
            "onnx_sha256": hashlib.sha256(onnx_path.read_bytes()).hexdigest(),
            "config_dir_files": copied,
            "tensors": dict(sorted(weights.origins.items())),
            "verification": {"tolerance": options.tolerance, **check},
            "versions": {"torch": torch.__version__.split("+")[0], **_versions()},
        }
        with open(staging / PROVENANCE_FILE, "w", encoding="utf-8") as f:
            json.dump(provenance, f, indent=2, ensure_ascii=False)
            f.write("\n")
    return provenance


def _versions() -> dict:
    import onnxruntime

    return {"transformers": transformers.__version__, "onnx": _onnx().__version__,
            "onnxruntime": onnxruntime.__version__}


def _load_tokenizer(config_dir: Path):
    if not any((config_dir / name).is_file() for name in TOKENIZER_FILES):
        raise ExportError(f"{config_dir} has no tokenizer files ({', '.join(TOKENIZER_FILES[:4])}, …)")
    return AutoTokenizer.from_pretrained(str(config_dir), use_fast=True)


def compare_with_onnxruntime(model, tokenizer, onnx_path: Path, texts: list, batch: int = 8,
                             max_length: int | None = None) -> dict:
    """The model's first output against onnxruntime's on the graph, on texts in padded batches, over the
    attention-masked (real) tokens: max abs diff, and how often the argmax (predicted label) agrees."""
    try:
        import onnxruntime
    except ImportError:
        raise ExportError("checking a rebuilt model needs the onnxruntime package")

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    # Idle onnxruntime threads otherwise spin between runs, and take the cores torch runs on.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    feeds = [i.name for i in session.get_inputs()]
    max_length = max_length or min(getattr(model.config, "max_position_embeddings", 512), 512)
    max_diff, agree, total = 0.0, 0, 0
    for start in range(0, len(texts), batch):
        enc = tokenizer(texts[start : start + batch], padding=True, truncation=True, max_length=max_length,
                        return_tensors="np")
        feed = {name: (enc[name] if name in enc else np.zeros_like(enc["input_ids"])).astype(np.int64)
                for name in feeds}
        expected = session.run(None, feed)[0]
        with torch.no_grad():
            actual = model(**{k: torch.from_numpy(v) for k, v in feed.items()})[0].numpy()
        if expected.shape != actual.shape:
            raise ExportError(f"onnxruntime gives {list(expected.shape)}, the rebuilt model {list(actual.shape)}")
        mask = enc["attention_mask"].astype(bool) if expected.ndim == 3 else np.ones(expected.shape[0], bool)
        e, a = expected[mask], actual[mask]
        max_diff = max(max_diff, float(np.abs(e - a).max(initial=0.0)))
        agree += int((e.argmax(-1) == a.argmax(-1)).sum())
        total += int(mask.sum())
    return {"texts": len(texts), "tokens": total, "max_abs_diff": max_diff,
            "argmax_agreement": agree / total if total else 1.0}
