"""bundle.json: what it says about the trace, writing and reading it, and the digests that bind it to
the files beside it."""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

import tokenizers
import torch
import transformers
from transformers.utils import cached_file

from . import BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MODEL_FILE, TOKENIZER_FILE, ExportError, __version__
from .options import ExportOptions, Shape
from .trace import Source

_OUTPUT_NAMES = {
    "sequence-classification": "logits",
    "token-classification": "logits",
    "embedding": "last_hidden_state",
}


def build_manifest(options: ExportOptions, source: Source, *, output_shape: list[int], shapes: list[Shape],
                   verification: dict) -> dict:
    """The manifest of a bundle traced at options' shape; the Java runtime reads these keys."""
    traced = options.traced_shape
    manifest = {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_FORMAT_VERSION,
        "name": options.name or Path(options.model.rstrip("/")).name,
        "source": options.source or options.model,
        "revision": options.revision,
        "task": options.task,
        "architecture": type(source.model).__name__,
        "model_type": source.config.model_type,
        "inputs": source.input_names,
        "output": {"name": _OUTPUT_NAMES[options.task], "shape": output_shape},
        "trace": {"mode": source.trace_mode, "batch": traced.batch, "seq_len": traced.seq_len},
        "shapes": shape_records(shapes),
        "tokenizer": {
            "pad_token_id": source.tokenizer.pad_token_id,
            "pad_token_type_id": source.tokenizer.pad_token_type_id,
            "max_length": traced.seq_len,
        },
        "versions": {
            "torch": torch.__version__.split("+")[0],
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "python": platform.python_version(),
            "exporter": __version__,
        },
        "verification": verification,
    }
    if options.task == "sequence-classification":
        labels = _labels(source.config)
        multi = options.multi_label
        if multi is None:
            multi = getattr(source.config, "problem_type", None) == "multi_label_classification"
        # As the HF pipeline: one label or multi-label means independent sigmoid scores.
        manifest["labels"] = labels
        manifest["scores"] = "sigmoid" if multi or len(labels) == 1 else "softmax"
        manifest["text_pair"] = bool(options.pairs)
    elif options.task == "token-classification":
        manifest["labels"] = _labels(source.config)
    else:
        manifest["pooling"] = _pooling(options)
    width = output_shape[-1]
    if "labels" in manifest and width != len(manifest["labels"]):
        raise ExportError(f"the model outputs {width} scores but its config names {len(manifest['labels'])} labels")
    return manifest


def shape_records(shapes: list[Shape]) -> list[dict]:
    return [{"batch": s.batch, "seq_len": s.seq_len} for s in shapes]


def _labels(config) -> list[str]:
    id2label = getattr(config, "id2label", None) or {}
    return [str(id2label.get(i, id2label.get(str(i), f"LABEL_{i}"))) for i in range(len(id2label))]


def _read_model_json(options: ExportOptions, filename: str):
    """A JSON file of the model repository (local folder or hub), or None when it has none."""
    try:
        path = cached_file(
            options.model, filename, revision=options.revision,
            _raise_exceptions_for_missing_entries=False,
            _raise_exceptions_for_connection_errors=False,
        )
    except OSError:
        return None
    if path is None:
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _pooling(options: ExportOptions) -> dict:
    """Pooling as sentence-transformers configured it for this model, unless overridden."""
    mode, normalize = "mean", False
    modules = _read_model_json(options, "modules.json") or []
    for module in modules:
        kind = module.get("type", "")
        if kind.endswith(".Pooling"):
            cfg = _read_model_json(options, f"{module['path']}/config.json") or {}
            if cfg.get("pooling_mode_cls_token"):
                mode = "cls"
            elif cfg.get("pooling_mode_mean_tokens", True):
                mode = "mean"
            else:
                raise ExportError(
                    f"{options.model} pools with {cfg}; only mean and cls pooling are supported"
                )
        elif kind.endswith(".Normalize"):
            normalize = True
    return {
        "mode": options.pooling or mode,
        "normalize": normalize if options.normalize is None else options.normalize,
    }


def file_digest(path: Path) -> dict:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
    return {"sha256": sha.hexdigest(), "bytes": path.stat().st_size}


def file_digests(bundle: Path) -> dict:
    """The "files" entry: a digest of each file bundle.json describes."""
    return {name: file_digest(bundle / name) for name in (MODEL_FILE, TOKENIZER_FILE)}


def write_manifest(path: Path, manifest: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")


def read_manifest(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)
