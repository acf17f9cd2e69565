#!/usr/bin/env python3
"""Per-type recall and precision of the model alone, the patterns alone and both, with the leaks of each,
from the three outputs that `bin/torchstream pii-eval` writes (PiiEvaluation). Prints a markdown table.

    python bench/pii/evaluate.py data/pii/messages.jsonl target/pii-eval
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import score  # noqa: E402

RUNS = ("model", "patterns", "both")


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("dataset")
    p.add_argument("outputs", help="the folder of model.jsonl, patterns.jsonl and both.jsonl")
    args = p.parse_args(argv)
    dataset = score.load_jsonl(args.dataset)
    results = {run: score.evaluate(dataset, score.load_jsonl(Path(args.outputs) / f"{run}.jsonl")) for run in RUNS}
    # Each file holds one detector's entities, so each is scored whole ("both" counts every entity).
    systems = {run: results[run]["systems"]["both"] for run in RUNS}
    leaks = {run: results[run]["leaks"] for run in RUNS}
    planted = systems["both"]["per_type"]
    print("| type | planted | model R / P | patterns R / P | both R / P | leaked (both) |")
    print("|---|---:|---:|---:|---:|---:|")

    def rp(entry):
        if not entry or entry.get("planted", 0) == 0:
            return "—"
        precision = entry.get("precision")
        return f"{entry['recall']:.2f} / " + ("—" if precision is None else f"{precision:.2f}")

    for t, entry in planted.items():
        if entry.get("planted", 0) == 0:
            continue
        cells = [rp(systems[run]["per_type"].get(t)) for run in RUNS]
        leaked = leaks["both"]["per_type"].get(t, {}).get("leaked", 0)
        print(f"| {t} | {entry['planted']} | " + " | ".join(cells) + f" | {leaked} |")
    totals = [systems[run]["total"] for run in RUNS]
    print(f"| **all** | {totals[2]['planted']} | " + " | ".join(
        f"{x['recall']:.2f} / {x['precision']:.2f}" for x in totals) + f" | {leaks['both']['leaked']} |")
    print()
    for run in RUNS:
        lk = leaks[run]
        print(f"- {run}: {lk['leaked']} of {lk['planted']} planted values left in the redacted text "
              f"({lk['messages_with_leak']} of {lk['messages_scored']} messages); "
              f"{systems[run]['no_pii_messages_flagged']} of {systems[run]['no_pii_messages']} messages without "
              f"personal data flagged; false positives on decoys: "
              + (", ".join(f"{k} {v}" for k, v in sorted(systems[run]["fp_on_decoys"].items())) or "none"))
    mismatches = sum(results[run]["offset_mismatches"]["count"] for run in RUNS)
    if mismatches:
        print(f"\n{mismatches} entities whose offsets do not match their words", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
