"""The TorchScript recipe, verified: load with torchscript=True, eval(), dummy inputs at the largest
shape, torch.jit.trace, torch.jit.save; then reload the file and compare it with the eager model."""

from __future__ import annotations

import inspect
import json
import logging
import platform
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import tokenizers
import torch
import transformers
from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
    AutoTokenizer,
)
from transformers.utils import cached_file

from . import BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, TASKS, __version__
from .corpus import VERIFY_PAIRS, VERIFY_TEXTS
from .manifest import file_digest, read_manifest, write_manifest

log = logging.getLogger("torchstream.export")

_MODEL_CLASSES = {
    "sequence-classification": AutoModelForSequenceClassification,
    "token-classification": AutoModelForTokenClassification,
    "embedding": AutoModel,
}
_OUTPUT_NAMES = {
    "sequence-classification": "logits",
    "token-classification": "logits",
    "embedding": "last_hidden_state",
}
# transformers 5 removed the torchscript flag; from then on only the wrapper is possible.
_FLAG_SUPPORTED = int(transformers.__version__.split(".")[0]) < 5


class ExportError(Exception):
    """An export that must not produce a bundle; the message says what to change."""


@dataclass(frozen=True)
class Shape:
    batch: int
    seq_len: int

    def __str__(self) -> str:
        return f"{self.batch}x{self.seq_len}"


@dataclass
class ExportOptions:
    model: str
    task: str
    out: Path
    batch: int = 8
    seq_len: int = 128
    name: str | None = None
    source: str | None = None
    revision: str | None = None
    pooling: str | None = None
    normalize: bool | None = None
    multi_label: bool | None = None
    pairs: bool = False
    trace_mode: str = "auto"
    tolerance: float = 1e-4
    verify_texts: list | None = None
    batch_sizes: list | None = None
    seq_lens: list | None = None
    probe_shapes: list | None = None
    allow_untrained_head: bool = False
    force: bool = False

    def validate(self) -> None:
        if self.task not in TASKS:
            raise ExportError(f"unknown task '{self.task}': expected one of {', '.join(TASKS)}")
        if self.batch < 1:
            raise ExportError(f"--batch must be >= 1, got {self.batch}")
        if self.seq_len < 4:
            raise ExportError(f"--seq-len must be >= 4, got {self.seq_len}")
        if self.trace_mode not in ("auto", "torchscript-flag", "wrapper"):
            raise ExportError(f"--trace-mode must be auto, torchscript-flag or wrapper, got {self.trace_mode}")
        if self.trace_mode == "torchscript-flag" and not _FLAG_SUPPORTED:
            raise ExportError(
                f"transformers {transformers.__version__} has no torchscript=True flag; use --trace-mode wrapper"
            )
        if self.task != "embedding" and (self.pooling is not None or self.normalize is not None):
            raise ExportError("--pooling and --normalize apply to --task embedding only")
        if self.pooling not in (None, "mean", "cls"):
            raise ExportError(f"--pooling must be mean or cls, got {self.pooling}")
        if self.task != "sequence-classification" and (self.multi_label or self.pairs):
            raise ExportError("--multi-label and --pairs apply to --task sequence-classification only")
        if not self.tolerance > 0:
            raise ExportError(f"--tolerance must be > 0, got {self.tolerance}")
        for name, values, limit in (("--batch-sizes", self.batch_sizes, self.batch),
                                    ("--seq-lens", self.seq_lens, self.seq_len)):
            for v in values or []:
                if not 1 <= v <= limit:
                    raise ExportError(f"{name} must lie in 1..{limit} (the traced size), got {v}")
        out = Path(self.out)
        if out.exists() and any(out.iterdir()) and not self.force:
            raise ExportError(f"{out} exists and is not empty; choose another --out or pass --force")


class _TupleOutputs(torch.nn.Module):
    """Makes a model traceable without the torchscript flag: positional tensors in, tensor tuple out."""

    def __init__(self, model: torch.nn.Module, input_names: list[str]):
        super().__init__()
        self.model = model
        self.input_names = list(input_names)

    def forward(self, *args: torch.Tensor):
        outputs = self.model(**dict(zip(self.input_names, args)), return_dict=False)
        return tuple(o for o in outputs if isinstance(o, torch.Tensor))


def export(options: ExportOptions) -> dict:
    """Exports, verifies and writes a bundle; returns the manifest. Raises ExportError on any refusal."""
    options.validate()
    trace_mode = options.trace_mode
    if trace_mode == "auto":
        trace_mode = "torchscript-flag" if _FLAG_SUPPORTED else "wrapper"
    traced_shape = Shape(options.batch, options.seq_len)

    config = AutoConfig.from_pretrained(options.model, revision=options.revision)
    _check_head(options, config)
    tokenizer = _load_tokenizer(options)
    model = _load_model(options, trace_mode == "torchscript-flag")
    input_names = _input_names(model, tokenizer)
    module = model if trace_mode == "torchscript-flag" else _TupleOutputs(model, input_names)

    texts = _verification_inputs(options)
    dummy = _encode(tokenizer, texts[: traced_shape.batch], traced_shape, input_names)
    log.info("tracing %s (%s) at %s with inputs %s", type(model).__name__, trace_mode, traced_shape, input_names)
    with torch.no_grad():
        traced = torch.jit.trace(module, tuple(dummy))

    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".bundle-", dir=out.parent))
    try:
        torch.jit.save(traced, str(staging / "model.pt"))
        reloaded = torch.jit.load(str(staging / "model.pt"))
        reloaded.eval()

        max_diff, out_shape = _compare(module, reloaded, tokenizer, texts, traced_shape, input_names)
        log.info("verified %d texts at %s: max abs diff %.3g", len(texts), traced_shape, max_diff)
        if not max_diff <= options.tolerance:
            raise ExportError(
                f"the saved trace differs from the eager model by {max_diff:.3g} at {traced_shape} "
                f"(tolerance {options.tolerance:g}); no bundle was written"
            )
        shapes = _run_shapes(options, traced_shape)
        verified = []
        for shape in shapes:
            if shape == traced_shape:
                continue
            diff, _ = _compare(module, reloaded, tokenizer, texts, shape, input_names)
            if not diff <= options.tolerance:
                raise ExportError(
                    f"at {shape} the trace differs from eager by {diff:.3g} (tolerance {options.tolerance:g}); "
                    f"drop that size from --batch-sizes/--seq-lens. No bundle was written"
                )
            verified.append({"batch": shape.batch, "seq_len": shape.seq_len, "max_abs_diff": diff})
            log.info("verified %s: max abs diff %.3g", shape, diff)
        probes = [
            _probe(module, reloaded, tokenizer, texts, shape, input_names, options.tolerance)
            for shape in _probe_shapes(options, traced_shape)
            if shape not in shapes
        ]

        _write_tokenizer(tokenizer, traced_shape.seq_len, staging / "tokenizer.json")
        manifest = _manifest(
            options, config, model, tokenizer, input_names, trace_mode, traced_shape, out_shape,
            {
                "tolerance": options.tolerance,
                "texts": len(texts),
                "max_abs_diff": max_diff,
                "shapes": verified,
                "probes": probes,
            },
            shapes,
        )
        manifest["files"] = {
            name: file_digest(staging / name) for name in ("model.pt", "tokenizer.json")
        }
        write_manifest(staging / "bundle.json", manifest)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return manifest


def _load_tokenizer(options: ExportOptions):
    tokenizer = AutoTokenizer.from_pretrained(options.model, revision=options.revision, use_fast=True)
    if not tokenizer.is_fast:
        raise ExportError(
            f"{options.model} has no fast tokenizer (tokenizer.json); the Java runtime needs one. "
            "Convert it with transformers' convert_slow_tokenizer and save_pretrained first"
        )
    if tokenizer.pad_token_id is None:
        raise ExportError(
            f"the tokenizer of {options.model} has no pad token, and traced inputs must be padded; "
            "set tokenizer.pad_token and save_pretrained it first"
        )
    if tokenizer.padding_side != "right":
        raise ExportError(f"the tokenizer pads on the {tokenizer.padding_side}; only right padding is supported")
    return tokenizer


def _check_head(options: ExportOptions, config) -> None:
    mapping = _MODEL_CLASSES[options.task]._model_mapping
    if type(config) not in mapping:
        raise ExportError(
            f"{options.model}: transformers {transformers.__version__} has no {options.task} head for "
            f"model type '{config.model_type}'; choose another --task or another model"
        )


def _load_model(options: ExportOptions, torchscript_flag: bool) -> torch.nn.Module:
    kwargs = {"revision": options.revision, "output_loading_info": True}
    if torchscript_flag:
        kwargs["torchscript"] = True
    model, info = _MODEL_CLASSES[options.task].from_pretrained(options.model, **kwargs)
    missing = info.get("missing_keys") or []
    if missing and not options.allow_untrained_head:
        raise ExportError(
            f"{options.model} has no trained weights for {', '.join(sorted(missing)[:6])}"
            f"{' …' if len(missing) > 6 else ''}: exported as {options.task} it would give random "
            "outputs. Fine-tune it first, choose the task its checkpoint was trained for, or pass "
            "--allow-untrained-head to export it anyway"
        )
    return model.eval()


def _input_names(model: torch.nn.Module, tokenizer) -> list[str]:
    """The tokenizer's model inputs, in the order the model's forward() takes them positionally."""
    params = list(inspect.signature(model.forward).parameters)
    names = [p for p in params if p in tokenizer.model_input_names]
    if not names or names[0] != "input_ids":
        raise ExportError(
            f"{type(model).__name__}.forward takes {params[:4]}; expected input_ids first"
        )
    # Positional tracing binds the inputs to the first parameters: they must come first, in order.
    if params[: len(names)] != names:
        raise ExportError(
            f"{type(model).__name__}.forward takes {params[: len(names) + 1]} before the tokenizer's "
            f"inputs {names}; positional tracing would bind them wrongly"
        )
    return names


def _verification_inputs(options: ExportOptions) -> list:
    texts = list(options.verify_texts) if options.verify_texts else (
        list(VERIFY_PAIRS) if options.pairs else list(VERIFY_TEXTS)
    )
    if options.pairs and not all(isinstance(t, (tuple, list)) and len(t) == 2 for t in texts):
        raise ExportError("with --pairs every verification text must be a (text, text_pair) pair")
    # A full trace batch, from real texts, even when fewer texts were given.
    while len(texts) < options.batch:
        texts = texts + texts
    return texts


def _encode(tokenizer, texts: list, shape: Shape, input_names: list[str]) -> list[torch.Tensor]:
    rows = list(texts)
    while len(rows) < shape.batch:
        rows.append(rows[len(rows) % len(texts)])
    if rows and isinstance(rows[0], (tuple, list)):
        first, second = [r[0] for r in rows], [r[1] for r in rows]
        enc = tokenizer(first, second, padding="max_length", truncation=True,
                        max_length=shape.seq_len, return_tensors="pt")
    else:
        enc = tokenizer(rows, padding="max_length", truncation=True,
                        max_length=shape.seq_len, return_tensors="pt")
    return [enc[name] if name in enc else torch.zeros_like(enc["input_ids"]) for name in input_names]


def _outputs(module, inputs) -> list[torch.Tensor]:
    with torch.no_grad():
        out = module(*inputs)
    if isinstance(out, torch.Tensor):
        return [out]
    return [o for o in out if isinstance(o, torch.Tensor)]


def _compare(eager, traced, tokenizer, texts, shape: Shape, input_names):
    """Max abs difference between eager and traced over all texts, in batches of the given shape."""
    max_diff = 0.0
    out_shape = None
    for start in range(0, len(texts), shape.batch):
        inputs = _encode(tokenizer, texts[start : start + shape.batch], shape, input_names)
        expected, actual = _outputs(eager, inputs), _outputs(traced, inputs)
        if len(expected) != len(actual):
            raise ExportError(f"the trace returns {len(actual)} outputs, the eager model {len(expected)}")
        for e, a in zip(expected, actual):
            if e.shape != a.shape:
                raise ExportError(f"traced output shape {tuple(a.shape)} differs from eager {tuple(e.shape)}")
            if not torch.isfinite(a).all():
                raise ExportError(f"the trace produced non-finite values at {shape}")
            max_diff = max(max_diff, (e - a).abs().max().item())
        out_shape = list(actual[0].shape)
    return max_diff, out_shape


def _run_shapes(options: ExportOptions, traced: Shape) -> list[Shape]:
    """The shapes the runtime may run: the traced one, and the grid of any extra sizes asked for."""
    batches = sorted({traced.batch, *(options.batch_sizes or [])})
    lengths = sorted({traced.seq_len, *(options.seq_lens or [])})
    return [Shape(b, s) for b in batches for s in lengths]


def _probe_shapes(options: ExportOptions, traced: Shape) -> list[Shape]:
    if options.probe_shapes is not None:
        return [Shape(b, s) for b, s in options.probe_shapes]
    batches = sorted({1, max(1, traced.batch // 2), traced.batch})
    lengths = sorted({max(4, traced.seq_len // 4), max(4, traced.seq_len // 2), traced.seq_len})
    return [Shape(b, s) for b in batches for s in lengths if Shape(b, s) != traced]


def _probe(eager, traced, tokenizer, texts, shape: Shape, input_names, tolerance) -> dict:
    """Runs the trace at a shape it was not traced at; records what happened, never assumes."""
    result = {"batch": shape.batch, "seq_len": shape.seq_len}
    try:
        diff, _ = _compare(eager, traced, tokenizer, texts, shape, input_names)
        result.update(max_abs_diff=diff, equal=bool(diff <= tolerance))
    except (RuntimeError, ExportError) as e:
        result.update(equal=False, error=str(e).strip().splitlines()[-1][:300])
    log.info("probe %s: %s", shape, result)
    return result


def _write_tokenizer(tokenizer, seq_len: int, path: Path) -> None:
    backend = tokenizers.Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    # Recorded so that any HF tokenizer reading the file pads and truncates like the trace.
    backend.enable_truncation(max_length=seq_len)
    backend.enable_padding(
        length=seq_len,
        pad_id=tokenizer.pad_token_id,
        pad_token=tokenizer.pad_token,
        pad_type_id=tokenizer.pad_token_type_id,
    )
    backend.save(str(path))


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


def _labels(config) -> list[str]:
    id2label = getattr(config, "id2label", None) or {}
    return [str(id2label.get(i, id2label.get(str(i), f"LABEL_{i}"))) for i in range(len(id2label))]


def _manifest(options, config, model, tokenizer, input_names, trace_mode, shape, out_shape, verification, shapes):
    name = options.name or Path(options.model.rstrip("/")).name
    manifest = {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_FORMAT_VERSION,
        "name": name,
        "source": options.source or options.model,
        "revision": options.revision,
        "task": options.task,
        "architecture": type(model).__name__,
        "model_type": config.model_type,
        "inputs": input_names,
        "output": {"name": _OUTPUT_NAMES[options.task], "shape": out_shape},
        "trace": {"mode": trace_mode, "batch": shape.batch, "seq_len": shape.seq_len},
        "shapes": [{"batch": s.batch, "seq_len": s.seq_len} for s in shapes],
        "tokenizer": {
            "pad_token_id": tokenizer.pad_token_id,
            "pad_token_type_id": tokenizer.pad_token_type_id,
            "max_length": shape.seq_len,
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
        labels = _labels(config)
        multi = options.multi_label
        if multi is None:
            multi = getattr(config, "problem_type", None) == "multi_label_classification"
        # As the HF pipeline: one label or multi-label means independent sigmoid scores.
        manifest["labels"] = labels
        manifest["scores"] = "sigmoid" if multi or len(labels) == 1 else "softmax"
        manifest["text_pair"] = bool(options.pairs)
    elif options.task == "token-classification":
        manifest["labels"] = _labels(config)
    else:
        manifest["pooling"] = _pooling(options)
    width = out_shape[-1]
    if "labels" in manifest and width != len(manifest["labels"]):
        raise ExportError(f"the model outputs {width} scores but its config names {len(manifest['labels'])} labels")
    return manifest


def add_shapes(bundle: Path, model: str, batch_sizes: list | None, seq_lens: list | None,
               tolerance: float | None = None, revision: str | None = None) -> dict:
    """Verifies more shapes of an existing bundle's trace against the eager model and lists them in its
    bundle.json; model.pt and tokenizer.json stay as they are. Refuses (changing nothing) if model.pt
    is not the file bundle.json describes, or if the trace differs from eager at any new shape."""
    bundle = Path(bundle)
    manifest = read_manifest(bundle / "bundle.json")
    if file_digest(bundle / "model.pt") != manifest["files"]["model.pt"]:
        raise ExportError(f"{bundle / 'model.pt'} does not match its sha256 in bundle.json; re-export the bundle")
    traced = Shape(manifest["trace"]["batch"], manifest["trace"]["seq_len"])
    options = ExportOptions(model=model, task=manifest["task"], out=bundle, batch=traced.batch, seq_len=traced.seq_len,
                            revision=revision, pairs=bool(manifest.get("text_pair")), batch_sizes=batch_sizes,
                            seq_lens=seq_lens, force=True,
                            tolerance=tolerance or manifest["verification"]["tolerance"])
    options.validate()
    flag = manifest["trace"]["mode"] == "torchscript-flag"
    tokenizer = _load_tokenizer(options)
    eager = _load_model(options, flag)
    input_names = manifest["inputs"]
    if _input_names(eager, tokenizer) != input_names:
        raise ExportError(f"{model} takes inputs {_input_names(eager, tokenizer)}, the bundle {input_names}: not its source")
    module = eager if flag else _TupleOutputs(eager, input_names)
    trace = torch.jit.load(str(bundle / "model.pt")).eval()
    texts = _verification_inputs(options)

    known = {Shape(s["batch"], s["seq_len"]) for s in manifest["shapes"]}
    batches = sorted({s.batch for s in known} | set(batch_sizes or []))
    lengths = sorted({s.seq_len for s in known} | set(seq_lens or []))
    grid = [Shape(b, s) for b in batches for s in lengths]
    verified = list(manifest["verification"].get("shapes", []))
    for shape in grid:
        if shape in known:
            continue
        diff, _ = _compare(module, trace, tokenizer, texts, shape, input_names)
        if not diff <= options.tolerance:
            raise ExportError(f"at {shape} the trace differs from eager by {diff:.3g} (tolerance {options.tolerance:g});"
                              " bundle.json was not changed")
        verified.append({"batch": shape.batch, "seq_len": shape.seq_len, "max_abs_diff": diff})
        log.info("verified %s: max abs diff %.3g", shape, diff)
    manifest["shapes"] = [{"batch": s.batch, "seq_len": s.seq_len} for s in grid]
    manifest["verification"]["shapes"] = sorted(verified, key=lambda s: (s["batch"], s["seq_len"]))
    manifest["verification"]["probes"] = [p for p in manifest["verification"].get("probes", [])
                                          if Shape(p["batch"], p["seq_len"]) not in grid]
    staged = bundle / ".bundle.json.new"
    write_manifest(staged, manifest)
    staged.replace(bundle / "bundle.json")
    return manifest
