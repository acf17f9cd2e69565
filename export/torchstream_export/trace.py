"""The TorchScript recipe: load with torchscript=True, eval(), dummy inputs at the largest shape,
torch.jit.trace, torch.jit.save; and the tokenizer.json that encodes as the trace expects."""

from __future__ import annotations

import inspect
import logging
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
    PretrainedConfig,
    PreTrainedTokenizerFast,
)

from . import ExportError
from .options import ExportOptions, Shape

log = logging.getLogger("torchstream.export")

_MODEL_CLASSES = {
    "sequence-classification": AutoModelForSequenceClassification,
    "token-classification": AutoModelForTokenClassification,
    "embedding": AutoModel,
}


class _TupleOutputs(torch.nn.Module):
    """Makes a model traceable without the torchscript flag: positional tensors in, tensor tuple out."""

    def __init__(self, model: torch.nn.Module, input_names: list[str]):
        super().__init__()
        self.model = model
        self.input_names = list(input_names)

    def forward(self, *args: torch.Tensor):
        outputs = self.model(**dict(zip(self.input_names, args)), return_dict=False)
        return tuple(o for o in outputs if isinstance(o, torch.Tensor))


@dataclass(frozen=True)
class Source:
    """A checkpoint loaded for tracing; module is what gets traced, the model or a wrapper of it."""

    config: PretrainedConfig
    tokenizer: PreTrainedTokenizerFast
    model: torch.nn.Module
    input_names: list[str]
    trace_mode: str
    module: torch.nn.Module


def load(options: ExportOptions) -> Source:
    trace_mode = options.resolved_trace_mode
    config = AutoConfig.from_pretrained(options.model, revision=options.revision)
    _check_head(options, config)
    tokenizer = load_tokenizer(options)
    model = load_model(options, trace_mode == "torchscript-flag")
    names = input_names(model, tokenizer)
    return Source(config, tokenizer, model, names, trace_mode, traceable(model, names, trace_mode))


def traceable(model: torch.nn.Module, input_names: list[str], trace_mode: str) -> torch.nn.Module:
    return model if trace_mode == "torchscript-flag" else _TupleOutputs(model, input_names)


def trace(source: Source, texts: list, shape: Shape, path: Path) -> None:
    """Traces at the given (largest) shape on real texts and saves the trace to path."""
    dummy = encode(source.tokenizer, texts[: shape.batch], shape, source.input_names)
    log.info("tracing %s (%s) at %s with inputs %s",
             type(source.model).__name__, source.trace_mode, shape, source.input_names)
    with torch.no_grad():
        traced = torch.jit.trace(source.module, tuple(dummy))
    torch.jit.save(traced, str(path))


def load_tokenizer(options: ExportOptions):
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


def load_model(options: ExportOptions, torchscript_flag: bool) -> torch.nn.Module:
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


def input_names(model: torch.nn.Module, tokenizer) -> list[str]:
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


def encode(tokenizer, texts: list, shape: Shape, input_names: list[str]) -> list[torch.Tensor]:
    """The trace's positional inputs for texts (or pairs), padded to the shape; rows repeat to fill a batch."""
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


def save_tokenizer(tokenizer, seq_len: int, path: Path) -> None:
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
