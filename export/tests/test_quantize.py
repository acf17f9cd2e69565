"""int8 bundles: the trace is of the quantized model and verified against it; the drift from fp32 is measured
on real texts, recorded in bundle.json, and a bundle beyond --max-drift is refused."""

import json

import pytest
import torch

from torchstream_export.exporter import ExportError, ExportOptions, export


def _export(folder, task, out, **kwargs):
    return export(ExportOptions(model=str(folder), task=task, out=out, batch=4, seq_len=24, **kwargs))


@pytest.mark.parametrize("name,task", [("bert-embedding", "embedding"), ("bert-seq-cls", "sequence-classification"),
                                       ("bert-token-cls", "token-classification")])
def test_an_int8_bundle_records_its_drift_from_fp32(model_folders, tmp_path, name, task):
    manifest = _export(model_folders(name), task, tmp_path / "b", quantize="int8")
    q = manifest["quantization"]
    assert q["dtype"] == "qint8" and q["method"] == "dynamic" and q["scheme"] == "per-channel"
    assert q["layers"] > 0 and q["kept_fp32"] == []
    assert q["engine"] == torch.backends.quantized.engine
    d = q["drift"]
    assert 0 <= d["drift"] <= 0.05 and d["max_drift"] == 0.05 and d["texts"] > 0
    if task == "embedding":
        assert d["drift"] == pytest.approx(1 - d["cosine_min"])
        assert d["cosine_min"] <= d["cosine_mean"] <= 1 + 1e-6
    else:
        assert d["drift"] == pytest.approx(1 - d["label_agreement"])
    on_disk = json.loads((tmp_path / "b" / "bundle.json").read_text())
    assert on_disk["quantization"] == json.loads(json.dumps(q))
    traced = torch.jit.load(str(tmp_path / "b" / "model.pt"))
    assert any("quantized" in str(n.kind()) for n in traced.inlined_graph.nodes()), "the trace runs int8 kernels"


def test_a_bundle_beyond_the_allowed_drift_is_refused_and_nothing_is_written(model_folders, tmp_path):
    with pytest.raises(ExportError, match="beyond --max-drift 0; no bundle was written"):
        _export(model_folders("bert-embedding"), "embedding", tmp_path / "b", quantize="int8", max_drift=0.0)
    assert not (tmp_path / "b").exists()


def test_layers_kept_in_fp32_are_named_and_checked(model_folders, tmp_path):
    manifest = _export(model_folders("bert-embedding"), "embedding", tmp_path / "b", quantize="int8",
                       quantize_scheme="per-tensor", keep_fp32=["encoder.layer.1.output.dense"])
    q = manifest["quantization"]
    assert q["scheme"] == "per-tensor" and q["kept_fp32"] == ["encoder.layer.1.output.dense"]
    with pytest.raises(ExportError, match="--keep-fp32 'nothing.here' matches no Linear layer"):
        _export(model_folders("bert-embedding"), "embedding", tmp_path / "c", quantize="int8",
                keep_fp32=["nothing.here"])


def test_quantization_options_are_checked_before_anything_loads(tmp_path):
    with pytest.raises(ExportError, match="--quantize must be int8"):
        ExportOptions(model="x", task="embedding", out=tmp_path, quantize="int4")
    with pytest.raises(ExportError, match="apply with --quantize int8 only"):
        ExportOptions(model="x", task="embedding", out=tmp_path, keep_fp32=["a"])
    with pytest.raises(ExportError, match="--max-drift must lie in 0..1"):
        ExportOptions(model="x", task="embedding", out=tmp_path, quantize="int8", max_drift=2)
