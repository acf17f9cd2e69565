"""Command line: python -m torchstream_export MODEL --task TASK --out DIR [options]; add-shapes; from-onnx."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from . import MANIFEST_FILE, MODEL_FILE, TASKS, TOKENIZER_FILE
from . import quantize
from .exporter import ExportError, ExportOptions, add_shapes, export


def _shape(value: str) -> tuple[int, int]:
    try:
        batch, seq_len = value.lower().split("x")
        return int(batch), int(seq_len)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected BATCHxSEQ_LEN such as 8x64, got '{value}'")


def _sizes(value: str) -> list[int]:
    try:
        return [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers such as 16,32,64, got '{value}'")


def _texts(path: str) -> list:
    """One text per line, or JSON lines with text (and text_pair)."""
    texts = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            obj = json.loads(line)
            texts.append((obj["text"], obj["text_pair"]) if "text_pair" in obj else obj["text"])
        elif line.strip():
            texts.append(line)
    return texts


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="torchstream export",
        description="Export a HuggingFace model (hub id or local folder) to a verified TorchScript bundle.",
    )
    p.add_argument("model", help="hub id (e.g. distilbert-base-uncased-finetuned-sst-2-english) or local folder")
    p.add_argument("--task", required=True, choices=TASKS)
    p.add_argument("--out", required=True, type=Path, help="bundle folder to write")
    p.add_argument("--batch", type=int, default=8, help="traced batch size (default 8)")
    p.add_argument("--seq-len", type=int, default=128, help="traced sequence length in tokens (default 128)")
    p.add_argument("--name", help="model name recorded in the bundle (default: the folder or hub name)")
    p.add_argument("--source", help="where the model comes from, recorded in the bundle (default: MODEL)")
    p.add_argument("--revision", help="hub revision (branch, tag or commit)")
    p.add_argument("--pooling", choices=("mean", "cls"),
                   help="embedding pooling (default: the model's sentence-transformers config, else mean)")
    p.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=None,
                   help="L2-normalise embeddings (default: as the sentence-transformers config says)")
    p.add_argument("--multi-label", action="store_true", default=None,
                   help="independent sigmoid scores (default: from the config's problem_type)")
    p.add_argument("--pairs", action="store_true", help="the classifier reads sentence pairs (text, text_pair)")
    p.add_argument("--trace-mode", default="auto", choices=("auto", "torchscript-flag", "wrapper"),
                   help="torchscript=True (transformers 4) or a tuple-returning wrapper (default: auto)")
    p.add_argument("--tolerance", type=float, default=1e-4, help="max abs diff trace vs eager (default 1e-4)")
    p.add_argument("--verify-texts", help="file of texts to verify on (lines, or JSON lines with text/text_pair)")
    p.add_argument("--batch-sizes", type=_sizes, help="smaller batch sizes the runtime may also run, e.g. 1,2,4 "
                   "(each verified equal to eager, with every --seq-lens)")
    p.add_argument("--seq-lens", type=_sizes, help="shorter sequence lengths the runtime may also run, e.g. 16,32,64 "
                   "(each verified equal to eager)")
    p.add_argument("--probe", type=_shape, action="append", dest="probe_shapes",
                   help="other BATCHxSEQ_LEN shapes to probe (repeatable; default: smaller batches and lengths)")
    p.add_argument("--allow-untrained-head", action="store_true",
                   help="export even if the task head has no trained weights in the checkpoint")
    p.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    p.add_argument("--quantize", choices=("int8",),
                   help="int8 Linear layers (dynamic quantization), verified for drift from fp32")
    p.add_argument("--quantize-scheme", default="per-channel", choices=("per-channel", "per-tensor"),
                   help="int8 weight scales per output channel (default) or per tensor")
    p.add_argument("--keep-fp32", action="append",
                   help="Linear layers left in fp32, by name pattern (fnmatch: '*.output.dense'); repeatable")
    p.add_argument("--max-drift", type=float, default=0.05,
                   help="refuse an int8 bundle whose drift from fp32 exceeds this (1 - lowest cosine for embeddings,"
                        " 1 - label agreement otherwise; default 0.05)")
    p.add_argument("--drift-texts", help="file of texts to measure drift on (default: the verification texts)")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


def add_shapes_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="torchstream add-shapes",
        description="Verify more shapes of an existing bundle's trace against the eager model and list them in its"
                    f" {MANIFEST_FILE}; {MODEL_FILE} and {TOKENIZER_FILE} are not touched.",
    )
    p.add_argument("bundle", type=Path, help="the bundle folder")
    p.add_argument("--model", required=True, help="the hub id or folder the bundle was exported from")
    p.add_argument("--revision", help="hub revision")
    p.add_argument("--batch-sizes", type=_sizes, help="batch sizes to add, e.g. 1,2,4")
    p.add_argument("--seq-lens", type=_sizes, help="sequence lengths to add, e.g. 24,48,96")
    p.add_argument("--tolerance", type=float, help="max abs diff trace vs eager (default: the bundle's)")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


def main_add_shapes(argv: list[str]) -> int:
    args = add_shapes_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        manifest = add_shapes(args.bundle, args.model, args.batch_sizes, args.seq_lens, args.tolerance, args.revision)
    except ExportError as e:
        print(f"torchstream add-shapes: {e}", file=sys.stderr)
        return 2
    shapes = ", ".join(f"{s['batch']}x{s['seq_len']}" for s in manifest["shapes"])
    print(f"updated {args.bundle / MANIFEST_FILE}: {len(manifest['shapes'])} verified shapes ({shapes})")
    return 0


def from_onnx_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="torchstream from-onnx",
        description="Rebuild a transformers checkpoint (save_pretrained folder, safetensors) from the weights of a "
                    "BERT-family ONNX graph, MatMulNBits 4-bit and DequantizeLinear weights dequantized; the folder "
                    "is then exported like any other. Checked against onnxruntime on the graph before it is written.",
    )
    p.add_argument("--onnx", required=True, type=Path, help="the ONNX graph (e.g. onnx/model_q4.onnx)")
    p.add_argument("--config-dir", required=True, type=Path,
                   help="folder with the model's config.json and tokenizer files (copied to --out)")
    p.add_argument("--out", required=True, type=Path, help="folder to write")
    p.add_argument("--task", choices=TASKS, help="the model class (default: config.json's architectures)")
    p.add_argument("--verify-texts", help="file of texts to compare on (one a line; default: the exporter's texts)")
    p.add_argument("--tolerance", type=float, default=1e-3,
                   help="max abs output diff, rebuilt model vs onnxruntime on the graph (default 1e-3)")
    p.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


def main_from_onnx(argv: list[str]) -> int:
    from .onnx_weights import RebuildOptions, rebuild

    args = from_onnx_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    texts = _texts(args.verify_texts) if args.verify_texts else None
    try:
        result = rebuild(RebuildOptions(onnx=args.onnx, config_dir=args.config_dir, out=args.out, task=args.task,
                                        verify_texts=texts, tolerance=args.tolerance, force=args.force))
    except ExportError as e:
        print(f"torchstream from-onnx: {e}", file=sys.stderr)
        return 2
    v = result["verification"]
    kinds = {}
    for origin in result["tensors"].values():
        kind = origin.split(" ")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"wrote {args.out}: {len(result['tensors'])} tensors from {args.onnx.name} "
          f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}); against onnxruntime on {v['texts']} texts "
          f"({v['tokens']} tokens): max abs diff {v['max_abs_diff']:.3g}, argmax agreement "
          f"{100 * v['argmax_agreement']:.2f}%")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "add-shapes":
        return main_add_shapes(argv[1:])
    if argv and argv[0] == "from-onnx":
        return main_from_onnx(argv[1:])
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    # The parser's destinations are the option names; options check themselves as they are made.
    fields = {k: v for k, v in vars(args).items() if k != "quiet"}
    fields["verify_texts"] = _texts(args.verify_texts) if args.verify_texts else None
    fields["drift_texts"] = _texts(args.drift_texts) if args.drift_texts else None
    try:
        manifest = export(ExportOptions(**fields))
    except ExportError as e:
        print(f"torchstream export: {e}", file=sys.stderr)
        return 2
    v = manifest["verification"]
    print(f"wrote {args.out}: {manifest['task']} {manifest['architecture']} traced at "
          f"{manifest['trace']['batch']}x{manifest['trace']['seq_len']} ({manifest['trace']['mode']}); "
          f"max abs diff vs eager {v['max_abs_diff']:.3g} on {v['texts']} texts")
    if "quantization" in manifest:
        q = manifest["quantization"]
        print(f"  int8 ({q['scheme']}, {q['layers']} Linear layers, {len(q['kept_fp32'])} kept fp32): drift from fp32 "
              f"{q['drift']['drift']:.4f} on {q['drift']['texts']} texts: {quantize._describe(q['drift'])}")
    for shape in v["shapes"]:
        print(f"  shape {shape['batch']}x{shape['seq_len']}: equal (max abs diff {shape['max_abs_diff']:.3g})")
    for probe in v["probes"]:
        status = (f"equal (max abs diff {probe['max_abs_diff']:.3g})" if probe["equal"]
                  else probe.get("error") or f"differs (max abs diff {probe['max_abs_diff']:.3g})")
        print(f"  probe {probe['batch']}x{probe['seq_len']}: {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
