"""export and add-shapes, stage by stage: options, trace, verify, manifest. Nothing is written unless
every stage passes: a bundle is staged beside its folder and renamed into place whole."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from . import MANIFEST_FILE, MODEL_FILE, TOKENIZER_FILE, ExportError, quantize, trace
from .manifest import build_manifest, file_digest, file_digests, read_manifest, shape_records, write_manifest
from .options import ExportOptions, Shape
from .verify import Verifier, probe_shapes, reload, shape_grid, verification_texts

__all__ = ["ExportError", "ExportOptions", "add_shapes", "export"]


def export(options: ExportOptions) -> dict:
    """Exports, verifies and writes a bundle; returns the manifest. Raises ExportError on any refusal."""
    out = options.out
    if out.exists() and any(out.iterdir()) and not options.force:
        raise ExportError(f"{out} exists and is not empty; choose another --out or pass --force")
    traced_shape = options.traced_shape
    source = fp32 = trace.load(options)
    texts = verification_texts(options)
    quantization = None
    if options.quantize:
        # The trace is of the int8 model, verified against it; its drift from fp32 is measured below.
        int8, quantization = quantize.quantize(fp32.module, options.quantize_scheme, options.keep_fp32)
        source = replace(fp32, module=int8)
    with _staged(out) as staging:
        trace.trace(source, texts, traced_shape, staging / MODEL_FILE)
        verifier = Verifier(source.module, reload(staging / MODEL_FILE), source.tokenizer, source.input_names,
                            texts, options.tolerance)
        max_diff, output_shape = verifier.verify_trace(traced_shape)
        shapes = shape_grid([traced_shape], options.batch_sizes, options.seq_lens)
        verified = verifier.verify_shapes(
            shapes, {traced_shape}, "drop that size from --batch-sizes/--seq-lens. No bundle was written")
        # A listed shape is verified; probing the others only records what they do.
        probes = [verifier.probe(shape) for shape in probe_shapes(options) if shape not in shapes]
        trace.save_tokenizer(source.tokenizer, traced_shape.seq_len, staging / TOKENIZER_FILE)
        manifest = build_manifest(options, source, output_shape=output_shape, shapes=shapes, verification={
            "tolerance": options.tolerance,
            "texts": len(texts),
            "max_abs_diff": max_diff,
            "shapes": verified,
            "probes": probes,
        })
        if quantization is not None:
            quantization["drift"] = quantize.drift(
                options, fp32.module, source.module, source.tokenizer, source.input_names,
                list(options.drift_texts) if options.drift_texts else texts, manifest.get("pooling"),
                manifest.get("scores", "softmax"))
            manifest["quantization"] = quantization
        manifest["files"] = file_digests(staging)
        write_manifest(staging / MANIFEST_FILE, manifest)
    return manifest


def add_shapes(bundle: Path, model: str, batch_sizes: list | None, seq_lens: list | None,
               tolerance: float | None = None, revision: str | None = None) -> dict:
    """Verifies more shapes of an existing bundle's trace against the eager model and lists them in its
    bundle.json; model.pt and tokenizer.json stay as they are. Refuses (changing nothing) if model.pt
    is not the file bundle.json describes, or if the trace differs from eager at any new shape."""
    bundle = Path(bundle)
    manifest = read_manifest(bundle / MANIFEST_FILE)
    if file_digest(bundle / MODEL_FILE) != manifest["files"][MODEL_FILE]:
        raise ExportError(f"{bundle / MODEL_FILE} does not match its sha256 in {MANIFEST_FILE}; re-export the bundle")
    options = ExportOptions(model=model, task=manifest["task"], out=bundle, batch=manifest["trace"]["batch"],
                            seq_len=manifest["trace"]["seq_len"], revision=revision,
                            pairs=bool(manifest.get("text_pair")), batch_sizes=batch_sizes, seq_lens=seq_lens,
                            tolerance=tolerance or manifest["verification"]["tolerance"])
    trace_mode = manifest["trace"]["mode"]
    tokenizer = trace.load_tokenizer(options)
    eager = trace.load_model(options, trace_mode == "torchscript-flag")
    input_names = manifest["inputs"]
    if trace.input_names(eager, tokenizer) != input_names:
        raise ExportError(
            f"{model} takes inputs {trace.input_names(eager, tokenizer)}, the bundle {input_names}: not its source")
    verifier = Verifier(trace.traceable(eager, input_names, trace_mode), reload(bundle / MODEL_FILE), tokenizer,
                        input_names, verification_texts(options), options.tolerance)

    known = {Shape(s["batch"], s["seq_len"]) for s in manifest["shapes"]}
    grid = shape_grid(known, batch_sizes, seq_lens)
    verification = manifest["verification"]
    verified = verification.get("shapes", []) + verifier.verify_shapes(grid, known, f"{MANIFEST_FILE} was not changed")
    manifest["shapes"] = shape_records(grid)
    verification["shapes"] = sorted(verified, key=lambda s: (s["batch"], s["seq_len"]))
    verification["probes"] = [p for p in verification.get("probes", []) if Shape(p["batch"], p["seq_len"]) not in grid]
    staged = bundle / f".{MANIFEST_FILE}.new"
    write_manifest(staged, manifest)
    staged.replace(bundle / MANIFEST_FILE)
    return manifest


@contextmanager
def _staged(out: Path):
    """A fresh folder beside out that replaces out if the block completes, and is removed if it raises."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".bundle-", dir=out.parent))
    try:
        yield staging
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
