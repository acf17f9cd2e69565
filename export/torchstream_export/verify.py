"""Verification: the saved trace, reloaded as the runtime loads it, against the eager model on real texts."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import torch

from . import ExportError
from .corpus import VERIFY_PAIRS, VERIFY_TEXTS
from .options import ExportOptions, Shape
from .trace import encode

log = logging.getLogger("torchstream.export")


def verification_texts(options: ExportOptions) -> list:
    texts = list(options.verify_texts) if options.verify_texts else (
        list(VERIFY_PAIRS) if options.pairs else list(VERIFY_TEXTS)
    )
    if options.pairs and not all(isinstance(t, (tuple, list)) and len(t) == 2 for t in texts):
        raise ExportError("with --pairs every verification text must be a (text, text_pair) pair")
    # A full trace batch, from real texts, even when fewer texts were given.
    while len(texts) < options.batch:
        texts = texts + texts
    return texts


def reload(path: Path) -> torch.jit.ScriptModule:
    return torch.jit.load(str(path)).eval()


def shape_grid(shapes: Iterable[Shape], batch_sizes: Iterable[int] | None = None,
               seq_lens: Iterable[int] | None = None) -> list[Shape]:
    """Every batch size with every sequence length, of the shapes and the extra sizes, smallest first:
    the runtime may pad a batch to any of them."""
    shapes = list(shapes)
    batches = sorted({s.batch for s in shapes} | set(batch_sizes or []))
    lengths = sorted({s.seq_len for s in shapes} | set(seq_lens or []))
    return [Shape(b, s) for b in batches for s in lengths]


def probe_shapes(options: ExportOptions) -> list[Shape]:
    if options.probe_shapes is not None:
        return [Shape(b, s) for b, s in options.probe_shapes]
    traced = options.traced_shape
    grid = shape_grid([traced], [1, max(1, traced.batch // 2)],
                      [max(4, traced.seq_len // 4), max(4, traced.seq_len // 2)])
    return [shape for shape in grid if shape != traced]


def _outputs(module, inputs) -> list[torch.Tensor]:
    with torch.no_grad():
        out = module(*inputs)
    if isinstance(out, torch.Tensor):
        return [out]
    return [o for o in out if isinstance(o, torch.Tensor)]


@dataclass(frozen=True)
class Verifier:
    """The eager model and the trace, fed the same encoded texts at whatever shape is asked."""

    eager: torch.nn.Module
    traced: torch.jit.ScriptModule
    tokenizer: object
    input_names: list[str]
    texts: list
    tolerance: float

    def compare(self, shape: Shape) -> tuple[float, list[int]]:
        """Max abs difference over all texts, in batches of the shape, and the trace's output shape."""
        max_diff = 0.0
        out_shape = None
        for start in range(0, len(self.texts), shape.batch):
            inputs = encode(self.tokenizer, self.texts[start : start + shape.batch], shape, self.input_names)
            expected, actual = _outputs(self.eager, inputs), _outputs(self.traced, inputs)
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

    def verify_trace(self, shape: Shape) -> tuple[float, list[int]]:
        """The traced shape itself: the max abs difference and the output shape."""
        max_diff, out_shape = self.compare(shape)
        log.info("verified %d texts at %s: max abs diff %.3g", len(self.texts), shape, max_diff)
        if not max_diff <= self.tolerance:
            raise ExportError(
                f"the saved trace differs from the eager model by {max_diff:.3g} at {shape} "
                f"(tolerance {self.tolerance:g}); no bundle was written"
            )
        return max_diff, out_shape

    def verify_shapes(self, shapes: Iterable[Shape], known: Collection[Shape], refused: str) -> list[dict]:
        """Records of the shapes not already known, each equal to eager within the tolerance; at the first
        that is not, raises an ExportError that ends with refused (what was, or was not, done)."""
        verified = []
        for shape in shapes:
            if shape in known:
                continue
            diff, _ = self.compare(shape)
            if not diff <= self.tolerance:
                raise ExportError(
                    f"at {shape} the trace differs from eager by {diff:.3g} (tolerance {self.tolerance:g}); {refused}"
                )
            verified.append({"batch": shape.batch, "seq_len": shape.seq_len, "max_abs_diff": diff})
            log.info("verified %s: max abs diff %.3g", shape, diff)
        return verified

    def probe(self, shape: Shape) -> dict:
        """Runs the trace at a shape it was not traced at; records what happened, never assumes."""
        result = {"batch": shape.batch, "seq_len": shape.seq_len}
        try:
            diff, _ = self.compare(shape)
            result.update(max_abs_diff=diff, equal=bool(diff <= self.tolerance))
        except (RuntimeError, ExportError) as e:
            result.update(equal=False, error=str(e).strip().splitlines()[-1][:300])
        log.info("probe %s: %s", shape, result)
        return result
