"""The exporter against real torch and transformers: the recipe, its verification, and its refusals."""

import json
import shutil

import pytest
import torch
import transformers
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer, BertConfig, BertModel

from torchstream_export import BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION
from torchstream_export import exporter as exporter_module
from torchstream_export.corpus import VERIFY_TEXTS
from torchstream_export.exporter import ExportError, ExportOptions, export
from torchstream_export.manifest import file_digest


def _eager_logits(folder, texts, seq_len):
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    enc = tokenizer(texts, padding="max_length", truncation=True, max_length=seq_len, return_tensors="pt")
    with torch.no_grad():
        return model(**enc).logits, enc


def test_pinned_transformers_still_honours_the_torchscript_flag():
    assert int(transformers.__version__.split(".")[0]) == 4
    assert torch.__version__.startswith("2.7.1")
    config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=1,
                        intermediate_size=8, torchscript=True)
    assert config.torchscript is True
    out = BertModel(config).eval()(torch.tensor([[1, 2, 3]]))
    assert isinstance(out, tuple), "torchscript=True must make models return tuples"


def test_bert_bundle_follows_the_recipe_and_matches_eager(model_folders, tmp_path):
    folder = model_folders("bert-seq-cls")
    out = tmp_path / "bundle"
    manifest = export(ExportOptions(model=str(folder), task="sequence-classification", out=out, batch=4, seq_len=16))

    assert sorted(p.name for p in out.iterdir()) == ["bundle.json", "model.pt", "tokenizer.json"]
    on_disk = json.loads((out / "bundle.json").read_text())
    assert on_disk == json.loads(json.dumps(manifest))
    assert on_disk["format"] == BUNDLE_FORMAT and on_disk["format_version"] == BUNDLE_FORMAT_VERSION
    assert on_disk["task"] == "sequence-classification"
    assert on_disk["inputs"] == ["input_ids", "attention_mask", "token_type_ids"]
    assert on_disk["trace"] == {"mode": "torchscript-flag", "batch": 4, "seq_len": 16}
    assert on_disk["shapes"] == [{"batch": 4, "seq_len": 16}]
    assert on_disk["labels"] == ["negative", "neutral", "positive"]
    assert on_disk["scores"] == "softmax"
    assert on_disk["output"] == {"name": "logits", "shape": [4, 3]}
    assert on_disk["tokenizer"]["pad_token_id"] == 0 and on_disk["tokenizer"]["max_length"] == 16
    assert on_disk["versions"]["torch"] == "2.7.1"
    assert on_disk["verification"]["max_abs_diff"] <= 1e-4
    for name in ("model.pt", "tokenizer.json"):
        assert on_disk["files"][name] == file_digest(out / name)

    # The saved file, loaded as any TorchScript user would, reproduces eager transformers.
    traced = torch.jit.load(str(out / "model.pt"))
    expected, enc = _eager_logits(folder, VERIFY_TEXTS[:4], 16)
    with torch.no_grad():
        actual = traced(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])[0]
    assert torch.allclose(actual, expected, atol=1e-5)


def test_tokenizer_json_pads_and_truncates_at_the_traced_length(model_folders, tmp_path):
    from tokenizers import Tokenizer

    export(ExportOptions(model=str(model_folders("roberta-seq-cls-multilabel")), task="sequence-classification",
                         out=tmp_path / "b", batch=2, seq_len=12))
    tok = Tokenizer.from_file(str(tmp_path / "b" / "tokenizer.json"))
    short, long = tok.encode("hi"), tok.encode("a very long text " * 10)
    assert len(short.ids) == 12 and short.ids[-1] == 1, "RoBERTa pads with id 1"
    assert len(long.ids) == 12 and long.overflowing


def test_distilbert_has_two_inputs_and_roberta_pads_with_one(model_folders, tmp_path):
    d = export(ExportOptions(model=str(model_folders("distilbert-seq-cls")), task="sequence-classification",
                             out=tmp_path / "d", batch=2, seq_len=16))
    r = export(ExportOptions(model=str(model_folders("roberta-seq-cls-multilabel")), task="sequence-classification",
                             out=tmp_path / "r", batch=2, seq_len=16))
    assert d["inputs"] == ["input_ids", "attention_mask"]
    assert r["inputs"] == ["input_ids", "attention_mask"]
    assert r["tokenizer"]["pad_token_id"] == 1
    assert r["scores"] == "sigmoid", "multi_label_classification config means independent sigmoid scores"


def test_sentence_pairs_trace_with_token_type_ids(model_folders, tmp_path):
    m = export(ExportOptions(model=str(model_folders("bert-pair-cls")), task="sequence-classification",
                             out=tmp_path / "p", batch=2, seq_len=24, pairs=True))
    assert m["text_pair"] is True
    assert m["inputs"] == ["input_ids", "attention_mask", "token_type_ids"]
    with pytest.raises(ExportError, match="pair"):
        export(ExportOptions(model=str(model_folders("bert-pair-cls")), task="sequence-classification",
                             out=tmp_path / "q", pairs=True, verify_texts=["not a pair"]))


def test_wrapper_mode_traces_without_the_flag_and_says_so(model_folders, tmp_path):
    m = export(ExportOptions(model=str(model_folders("bert-token-cls")), task="token-classification",
                             out=tmp_path / "w", batch=2, seq_len=16, trace_mode="wrapper"))
    assert m["trace"]["mode"] == "wrapper"
    assert m["output"]["shape"] == [2, 16, 7]
    assert m["verification"]["max_abs_diff"] <= 1e-4


def test_probes_record_what_other_shapes_do(model_folders, tmp_path):
    m = export(ExportOptions(model=str(model_folders("bert-seq-cls")), task="sequence-classification",
                             out=tmp_path / "b", batch=4, seq_len=16, probe_shapes=[(1, 16), (2, 8), (8, 32)]))
    probes = {(p["batch"], p["seq_len"]): p for p in m["verification"]["probes"]}
    assert set(probes) == {(1, 16), (2, 8), (8, 32)}
    for probe in probes.values():
        assert isinstance(probe["equal"], bool)
        assert "max_abs_diff" in probe or "error" in probe
    # Probing never widens what the runtime may run: only the traced shape is listed.
    assert m["shapes"] == [{"batch": 4, "seq_len": 16}]


def test_embedding_pooling_comes_from_the_sentence_transformers_config(model_folders, tmp_path):
    folder = tmp_path / "st"
    shutil.copytree(model_folders("bert-embedding"), folder)
    (folder / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]))
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    m = export(ExportOptions(model=str(folder), task="embedding", out=tmp_path / "e", batch=2, seq_len=16))
    assert m["pooling"] == {"mode": "cls", "normalize": True}
    assert m["output"] == {"name": "last_hidden_state", "shape": [2, 16, 32]}
    m = export(ExportOptions(model=str(folder), task="embedding", out=tmp_path / "f", batch=2, seq_len=16,
                             pooling="mean", normalize=False))
    assert m["pooling"] == {"mode": "mean", "normalize": False}


def test_a_trace_that_differs_from_eager_writes_no_bundle(model_folders, tmp_path, monkeypatch):
    real_load = torch.jit.load

    def diverged_load(path):
        # A saved trace that no longer computes what the eager model does, as a baked-in branch can.
        module = real_load(path)
        with torch.no_grad():
            list(module.parameters())[-1].add_(0.05)  # the classifier bias: shifts every logit
        return module

    monkeypatch.setattr(torch.jit, "load", diverged_load)
    out = tmp_path / "bad"
    with pytest.raises(ExportError, match="differs from the eager model.*no bundle was written"):
        export(ExportOptions(model=str(model_folders("bert-seq-cls")), task="sequence-classification", out=out,
                             batch=2, seq_len=16))
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == [], "no staging folder left behind"


def test_refuses_unknown_task_and_bad_options(tmp_path):
    with pytest.raises(ExportError, match="unknown task 'summarization'"):
        export(ExportOptions(model="x", task="summarization", out=tmp_path / "o"))
    with pytest.raises(ExportError, match="--batch must be >= 1"):
        export(ExportOptions(model="x", task="embedding", out=tmp_path / "o", batch=0))
    with pytest.raises(ExportError, match="--pooling and --normalize apply to --task embedding only"):
        export(ExportOptions(model="x", task="sequence-classification", out=tmp_path / "o", pooling="mean"))


def test_refuses_an_architecture_without_the_head(tmp_path):
    from transformers import BertGenerationConfig

    folder = tmp_path / "gen"
    BertGenerationConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1, num_attention_heads=1,
                         intermediate_size=8).save_pretrained(folder)
    with pytest.raises(ExportError, match="no sequence-classification head for model type 'bert-generation'"):
        export(ExportOptions(model=str(folder), task="sequence-classification", out=tmp_path / "o"))


def test_refuses_a_checkpoint_whose_head_was_never_trained(model_folders, tmp_path):
    folder = tmp_path / "base"
    shutil.copytree(model_folders("bert-embedding"), folder)  # a BertModel checkpoint: no classifier weights
    with pytest.raises(ExportError, match="no trained weights for classifier"):
        export(ExportOptions(model=str(folder), task="sequence-classification", out=tmp_path / "o", batch=2, seq_len=8))
    m = export(ExportOptions(model=str(folder), task="sequence-classification", out=tmp_path / "o", batch=2,
                             seq_len=8, allow_untrained_head=True))
    assert m["architecture"] == "BertForSequenceClassification"


def test_refuses_to_overwrite_without_force(model_folders, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    with pytest.raises(ExportError, match="not empty"):
        export(ExportOptions(model=str(model_folders("bert-seq-cls")), task="sequence-classification", out=out))
    assert (out / "keep.txt").exists()


def test_hub_ids_resolve_through_the_hub_cache_offline(model_folders, tmp_path, monkeypatch):
    # The hub code path, without a hub: a model id resolved from a populated cache in offline mode.
    cache = tmp_path / "hf"
    snapshot = cache / "hub" / "models--acme--tiny-bert" / "snapshots" / ("0" * 40)
    shutil.copytree(model_folders("bert-seq-cls"), snapshot)
    (cache / "hub" / "models--acme--tiny-bert" / "refs").mkdir()
    (cache / "hub" / "models--acme--tiny-bert" / "refs" / "main").write_text("0" * 40)
    monkeypatch.setenv("HF_HOME", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants as hub_constants
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(cache / "hub"))
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(transformers.utils.hub, "TRANSFORMERS_CACHE", str(cache / "hub"), raising=False)
    m = export(ExportOptions(model="acme/tiny-bert", task="sequence-classification", out=tmp_path / "o",
                             batch=2, seq_len=8))
    assert m["source"] == "acme/tiny-bert" and m["name"] == "tiny-bert"


def test_base_model_loads_for_embedding(model_folders):
    model = AutoModel.from_pretrained(model_folders("bert-embedding"))
    assert type(model).__name__ == "BertModel"


def test_extra_shapes_are_verified_and_listed(model_folders, tmp_path):
    m = export(ExportOptions(model=str(model_folders("bert-seq-cls")), task="sequence-classification",
                             out=tmp_path / "b", batch=4, seq_len=16, batch_sizes=[1, 2], seq_lens=[8]))
    assert m["trace"] == {"mode": "torchscript-flag", "batch": 4, "seq_len": 16}
    assert {(s["batch"], s["seq_len"]) for s in m["shapes"]} == {(b, s) for b in (1, 2, 4) for s in (8, 16)}
    verified = {(s["batch"], s["seq_len"]) for s in m["verification"]["shapes"]}
    assert verified == {(b, s) for b in (1, 2, 4) for s in (8, 16)} - {(4, 16)}
    assert all(s["max_abs_diff"] <= 1e-4 for s in m["verification"]["shapes"])
    probed = {(p["batch"], p["seq_len"]) for p in m["verification"]["probes"]}
    assert not probed & verified, "a listed shape is verified, not merely probed"


def test_extra_shapes_must_not_exceed_the_trace(tmp_path):
    with pytest.raises(ExportError, match="--seq-lens must lie in 1..16"):
        export(ExportOptions(model="x", task="embedding", out=tmp_path / "o", batch=4, seq_len=16, seq_lens=[32]))


def test_add_shapes_verifies_more_shapes_and_leaves_the_files_alone(model_folders, tmp_path):
    folder = model_folders("bert-seq-cls")
    out = tmp_path / "b"
    export(ExportOptions(model=str(folder), task="sequence-classification", out=out, batch=4, seq_len=16, seq_lens=[8]))
    before = {name: (out / name).read_bytes() for name in ("model.pt", "tokenizer.json")}
    m = exporter_module.add_shapes(out, str(folder), batch_sizes=[2], seq_lens=[12])
    assert {(s["batch"], s["seq_len"]) for s in m["shapes"]} == {(b, s) for b in (2, 4) for s in (8, 12, 16)}
    assert json.loads((out / "bundle.json").read_text()) == json.loads(json.dumps(m))
    assert {name: (out / name).read_bytes() for name in before} == before
    assert {(s["batch"], s["seq_len"]) for s in m["verification"]["shapes"]} >= {(2, 12), (4, 12), (2, 8), (2, 16)}


def test_add_shapes_refuses_a_model_pt_that_bundle_json_does_not_describe(model_folders, tmp_path):
    folder = model_folders("bert-seq-cls")
    out = tmp_path / "b"
    export(ExportOptions(model=str(folder), task="sequence-classification", out=out, batch=2, seq_len=16))
    (out / "model.pt").write_bytes((out / "model.pt").read_bytes() + b"\0")
    manifest = (out / "bundle.json").read_text()
    with pytest.raises(ExportError, match="does not match its sha256"):
        exporter_module.add_shapes(out, str(folder), None, [8])
    assert (out / "bundle.json").read_text() == manifest
