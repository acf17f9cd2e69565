"""What to export: the options of one export, checked when they are made, before any model is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import transformers

from . import TASKS, ExportError

TRACE_MODES = ("auto", "torchscript-flag", "wrapper")
# transformers 5 removed the torchscript flag; from then on only the wrapper is possible.
FLAG_SUPPORTED = int(transformers.__version__.split(".")[0]) < 5


@dataclass(frozen=True)
class Shape:
    batch: int
    seq_len: int

    def __str__(self) -> str:
        return f"{self.batch}x{self.seq_len}"


@dataclass(frozen=True)
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
    quantize: str | None = None
    quantize_scheme: str = "per-channel"
    keep_fp32: list | None = None
    max_drift: float = 0.05
    drift_texts: list | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", Path(self.out))
        if self.task not in TASKS:
            raise ExportError(f"unknown task '{self.task}': expected one of {', '.join(TASKS)}")
        if self.batch < 1:
            raise ExportError(f"--batch must be >= 1, got {self.batch}")
        if self.seq_len < 4:
            raise ExportError(f"--seq-len must be >= 4, got {self.seq_len}")
        if self.trace_mode not in TRACE_MODES:
            raise ExportError(f"--trace-mode must be auto, torchscript-flag or wrapper, got {self.trace_mode}")
        if self.trace_mode == "torchscript-flag" and not FLAG_SUPPORTED:
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
        if self.quantize not in (None, "int8"):
            raise ExportError(f"--quantize must be int8, got {self.quantize}")
        if self.quantize is None and (self.keep_fp32 or self.drift_texts):
            raise ExportError("--keep-fp32 and --drift-texts apply with --quantize int8 only")
        if not 0 <= self.max_drift <= 1:
            raise ExportError(f"--max-drift must lie in 0..1, got {self.max_drift}")
        for name, values, limit in (("--batch-sizes", self.batch_sizes, self.batch),
                                    ("--seq-lens", self.seq_lens, self.seq_len)):
            for v in values or []:
                if not 1 <= v <= limit:
                    raise ExportError(f"{name} must lie in 1..{limit} (the traced size), got {v}")

    @property
    def traced_shape(self) -> Shape:
        return Shape(self.batch, self.seq_len)

    @property
    def resolved_trace_mode(self) -> str:
        if self.trace_mode != "auto":
            return self.trace_mode
        return "torchscript-flag" if FLAG_SUPPORTED else "wrapper"
