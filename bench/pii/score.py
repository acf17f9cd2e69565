#!/usr/bin/env python3
"""Scores a PII redaction job's output against the labelled set in data/pii/messages.jsonl.

    python bench/pii/score.py data/pii/messages.jsonl OUT.jsonl          # markdown report
    python bench/pii/score.py data/pii/messages.jsonl OUT.jsonl --json   # the same, machine-readable

OUT.jsonl has one line per input message, matched by "id":
    {"id": "pii-0001", "redacted": "...",
     "entities": [{"label" (or the pipeline's "entity_group"): "EMAIL", "start": 12, "end": 30, "word": "...", "score": 0.99,
                   "source": "model" | "pattern:NAME"}]}
with start/end in code points of the input text (Python str indexes), end exclusive.

Three detectors are scored from the same output: "model" (entities whose source is "model"), "patterns"
(source starts with "pattern:") and "both" (every entity).

Matching. A predicted entity matches a planted span when they overlap by at least --min-overlap (default
0.5) of the planted span's length, and their types agree:
  strict      the same type (after the label normalisation below);
  compatible  the same type, or both in one of the groups of COMPATIBLE: GIVEN_NAME ~ SURNAME (a name is
              a name, whichever half the model thinks it is), GOVERNMENT_ID ~ TAX_ID ~ PASSPORT ~
              DRIVERS_LICENSE (national identity numbers), IBAN ~ BANK_ACCOUNT (the model's label for
              account numbers);
  any         any type: the span was flagged as some kind of PII.
"recall" and "precision" use "compatible"; the strict and any-type recall are reported beside them.
A planted span counts as hit when some entity matches it; an entity counts as a true positive when it
matches some planted span, so one span split into two entities gives two true positives, and one entity
over a given name and surname hits both. Labels are normalised: B-/I-/E-/S-/L-/U- prefixes dropped,
upper case, and the aliases in LABEL_ALIASES (PHONE_NUMBER -> PHONE, EMAIL_ADDRESS -> EMAIL, ...).

Leaks. For each message with a "redacted" string, every planted value (counted once per message, type
and value) still present in it is a leak: verbatim, case-sensitive, not inside a longer word (so a
redacted "January" does not leak the name "Jan"); for CREDIT_CARD, IBAN and PHONE also with its
separators (spaces, dashes, dots, slashes, parentheses) removed or changed ("4111111111111111" leaks
"4111 1111 1111 1111"), IBANs in any case.
"""

import argparse
import json
import re
import sys
from collections import Counter, defaultdict

COMPATIBLE = [
    {"GIVEN_NAME", "SURNAME"},
    {"GOVERNMENT_ID", "TAX_ID", "PASSPORT", "DRIVERS_LICENSE"},
    {"IBAN", "BANK_ACCOUNT"},
]

LABEL_ALIASES = {
    "PHONE_NUMBER": "PHONE", "TELEPHONE": "PHONE", "PHONENUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL", "E_MAIL": "EMAIL",
    "IP": "IP_ADDRESS", "IPV4": "IP_ADDRESS", "IPV6": "IP_ADDRESS", "IP_V4": "IP_ADDRESS", "IP_V6": "IP_ADDRESS",
    "IPV4_ADDRESS": "IP_ADDRESS", "IPV6_ADDRESS": "IP_ADDRESS",
    "CREDIT_CARD_NUMBER": "CREDIT_CARD", "CARD_NUMBER": "CREDIT_CARD", "CREDITCARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "FIRST_NAME": "GIVEN_NAME", "GIVENNAME": "GIVEN_NAME", "LAST_NAME": "SURNAME", "FAMILY_NAME": "SURNAME",
    "ZIP": "ZIP_CODE", "POSTAL_CODE": "ZIP_CODE", "POSTCODE": "ZIP_CODE", "ZIPCODE": "ZIP_CODE",
    "WEB_URL": "URL",
}

SYSTEMS = {
    "model": lambda e: e.get("source") == "model",
    "patterns": lambda e: str(e.get("source") or "").startswith("pattern:"),
    "both": lambda e: True,
}

COMPACT_TYPES = {"CREDIT_CARD", "IBAN", "PHONE"}
SEPARATORS = "\\s\\-./()"
_BIO = re.compile(r"^[BIESLU]-")


def entity_label(e: dict):
    """The entity's type: "label", or the pipeline's "entity_group" (aggregated) / "entity" (per token)."""
    return e.get("label") or e.get("entity_group") or e.get("entity")


def normalize_label(label):
    s = _BIO.sub("", str(label or "").strip()).upper().replace("-", "_").replace(" ", "_")
    return LABEL_ALIASES.get(s, s)


def types_agree(planted, predicted, mode):
    if mode == "any" or planted == predicted:
        return True
    if mode == "strict":
        return False
    return any(planted in g and predicted in g for g in COMPATIBLE)


def overlaps(span, ent, min_overlap):
    ov = min(span["end"], ent["end"]) - max(span["start"], ent["start"])
    return ov > 0 and ov >= min_overlap * (span["end"] - span["start"])


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _entities(out):
    ents = []
    for e in (out or {}).get("entities") or []:
        try:
            start, end = int(e["start"]), int(e["end"])
        except (KeyError, TypeError, ValueError):
            continue
        ents.append({**e, "start": start, "end": end, "type": normalize_label(entity_label(e))})
    return ents


def _ratio(a, b):
    return a / b if b else None


def score_system(dataset, outputs, keep, min_overlap=0.5):
    rows = defaultdict(Counter)
    decoy_fp = Counter()
    no_pii, no_pii_flagged = 0, 0
    for msg in dataset:
        ents = [e for e in _entities(outputs.get(msg["id"])) if keep(e)]
        spans = msg["spans"]
        for s in spans:
            r = rows[s["type"]]
            r["planted"] += 1
            near = [e for e in ents if overlaps(s, e, min_overlap)]
            r["hit"] += any(types_agree(s["type"], e["type"], "compatible") for e in near)
            r["hit_strict"] += any(types_agree(s["type"], e["type"], "strict") for e in near)
            r["hit_any"] += bool(near)
        for e in ents:
            r = rows[e["type"]]
            r["found"] += 1
            near = [s for s in spans if overlaps(s, e, min_overlap)]
            tp = any(types_agree(s["type"], e["type"], "compatible") for s in near)
            r["tp"] += tp
            r["tp_any"] += bool(near)
            if not tp:
                for d in msg.get("decoys") or []:
                    if min(d["end"], e["end"]) > max(d["start"], e["start"]):
                        decoy_fp[d["kind"]] += 1
                        break
        if not spans:
            no_pii += 1
            no_pii_flagged += bool(ents)
    per_type = {}
    total = Counter()
    for t in sorted(rows, key=lambda t: (-rows[t]["planted"], -rows[t]["found"], t)):
        r = rows[t]
        total.update(r)
        per_type[t] = _row(r)
    return {"per_type": per_type, "total": _row(total), "fp_on_decoys": dict(sorted(decoy_fp.items())),
            "no_pii_messages": no_pii, "no_pii_messages_flagged": no_pii_flagged}


def _row(r):
    return {"planted": r["planted"], "hit": r["hit"], "recall": _ratio(r["hit"], r["planted"]),
            "recall_strict": _ratio(r["hit_strict"], r["planted"]), "recall_any": _ratio(r["hit_any"], r["planted"]),
            "found": r["found"], "tp": r["tp"], "fp": r["found"] - r["tp"],
            "precision": _ratio(r["tp"], r["found"]), "precision_any": _ratio(r["tp_any"], r["found"])}


def _boundary_pattern(body, value):
    left = r"(?<!\w)" if value[:1].isalnum() else ""
    right = r"(?!\w)" if value[-1:].isalnum() else ""
    return left + body + right


def leak_kind(span, redacted):
    """'verbatim', 'reformatted' or None: whether span's value is still in the redacted text."""
    value = span["value"]
    if re.search(_boundary_pattern(re.escape(value), value), redacted):
        return "verbatim"
    if span["type"] in COMPACT_TYPES:
        compact = re.sub(f"[{SEPARATORS}]", "", value)
        if compact:
            body = f"[{SEPARATORS}]*".join(re.escape(c) for c in compact)
            flags = re.IGNORECASE if span["type"] == "IBAN" else 0
            if re.search(_boundary_pattern(body, compact), redacted, flags):
                return "reformatted"
    return None


def find_leaks(dataset, outputs):
    by_type = defaultdict(lambda: {"planted": 0, "leaked": 0, "verbatim": 0, "reformatted": 0, "ids": []})
    messages_scored, messages_leaking = 0, []
    for msg in dataset:
        redacted = (outputs.get(msg["id"]) or {}).get("redacted")
        if not isinstance(redacted, str):
            continue
        messages_scored += 1
        leaked_here = False
        for typ, value in dict.fromkeys((s["type"], s["value"]) for s in msg["spans"]):
            t = by_type[typ]
            t["planted"] += 1
            kind = leak_kind({"type": typ, "value": value}, redacted)
            if kind:
                t["leaked"] += 1
                t[kind] += 1
                if msg["id"] not in t["ids"]:
                    t["ids"].append(msg["id"])
                leaked_here = True
        if leaked_here:
            messages_leaking.append(msg["id"])
    per_type = {}
    total = Counter()
    for typ in sorted(by_type, key=lambda t: (-by_type[t]["leaked"], -by_type[t]["planted"], t)):
        t = by_type[typ]
        per_type[typ] = {**t, "leak_rate": _ratio(t["leaked"], t["planted"])}
        total.update({k: t[k] for k in ("planted", "leaked", "verbatim", "reformatted")})
    return {"messages_scored": messages_scored, "messages_with_leak": len(messages_leaking),
            "message_ids_with_leak": messages_leaking, "planted": total["planted"], "leaked": total["leaked"],
            "verbatim": total["verbatim"], "reformatted": total["reformatted"],
            "leak_rate": _ratio(total["leaked"], total["planted"]), "per_type": per_type}


def offset_mismatches(dataset, outputs, limit=5):
    """Entities whose "word" is not the text at their offsets (a sign of UTF-16 vs code point offsets)."""
    count, examples = 0, []
    texts = {m["id"]: m["text"] for m in dataset}
    for mid, out in outputs.items():
        text = texts.get(mid)
        if text is None:
            continue
        for e in _entities(out):
            word = e.get("word")
            if not isinstance(word, str):
                continue
            norm = lambda s: re.sub(r"\s|##", "", s).casefold()  # noqa: E731
            if norm(word) != norm(text[e["start"]:e["end"]]):
                count += 1
                if len(examples) < limit:
                    examples.append({"id": mid, "label": entity_label(e), "start": e["start"], "end": e["end"],
                                     "word": word, "text_at_offsets": text[e["start"]:e["end"]]})
    return {"count": count, "examples": examples}


def evaluate(dataset, output_lines, min_overlap=0.5):
    outputs = {}
    for line in output_lines:
        outputs[line.get("id")] = line
    ids = [m["id"] for m in dataset]
    known = set(ids)
    sources = Counter(str(e.get("source")) for o in outputs.values() for e in (o.get("entities") or []))
    return {
        "messages": len(dataset),
        "planted": sum(len(m["spans"]) for m in dataset),
        "outputs": len(outputs),
        "missing_outputs": [i for i in ids if i not in outputs],
        "unknown_ids": sorted(str(i) for i in outputs if i not in known),
        "min_overlap": min_overlap,
        "entity_sources": dict(sorted(sources.items())),
        "systems": {name: score_system(dataset, outputs, keep, min_overlap) for name, keep in SYSTEMS.items()},
        "leaks": find_leaks(dataset, outputs),
        "offset_mismatches": offset_mismatches(dataset, outputs),
    }


def _fmt(x):
    return "—" if x is None else f"{x:.3f}"


def to_markdown(summary):
    out = [f"# PII scores (min overlap {summary['min_overlap']:g} of the planted span)", "",
           f"{summary['messages']} messages, {summary['planted']} planted spans; {summary['outputs']} output lines, "
           f"{len(summary['missing_outputs'])} messages without output, {len(summary['unknown_ids'])} unknown ids.",
           "Entities by source: " + (", ".join(f"{k} {v}" for k, v in summary["entity_sources"].items()) or "none")]
    if summary["missing_outputs"]:
        out.append("Missing outputs: " + ", ".join(summary["missing_outputs"]))
    mism = summary["offset_mismatches"]
    if mism["count"]:
        out.append(f"Warning: {mism['count']} entities whose word differs from the text at their offsets, e.g. "
                   + "; ".join(f"{x['id']} [{x['start']}:{x['end']}] word={x['word']!r} text={x['text_at_offsets']!r}"
                               for x in mism["examples"]))
    head = ("| type | planted | hit | recall | recall strict | recall any type | found | TP | FP | precision "
            "| precision any type |")
    for name, res in summary["systems"].items():
        out += ["", f"## {name}", "", head, "|" + "---|" * 11]
        for t, r in list(res["per_type"].items()) + [("**all**", res["total"])]:
            out.append(f"| {t} | {r['planted']} | {r['hit']} | {_fmt(r['recall'])} | {_fmt(r['recall_strict'])} | "
                       f"{_fmt(r['recall_any'])} | {r['found']} | {r['tp']} | {r['fp']} | {_fmt(r['precision'])} | "
                       f"{_fmt(r['precision_any'])} |")
        decoys = ", ".join(f"{k} {v}" for k, v in res["fp_on_decoys"].items()) or "none"
        out += ["", f"False positives on tricky negatives: {decoys}. Messages without PII flagged: "
                    f"{res['no_pii_messages_flagged']} of {res['no_pii_messages']}."]
    lk = summary["leaks"]
    out += ["", "## leaks", "",
            f"{lk['leaked']} of {lk['planted']} planted values still in the redacted text ({_fmt(lk['leak_rate'])}; "
            f"{lk['verbatim']} verbatim, {lk['reformatted']} with other separators); "
            f"{lk['messages_with_leak']} of {lk['messages_scored']} messages leak at least one.", "",
            "| type | planted | leaked | leak rate | ids |", "|---|---|---|---|---|"]
    for t, r in lk["per_type"].items():
        out.append(f"| {t} | {r['planted']} | {r['leaked']} | {_fmt(r['leak_rate'])} | {' '.join(r['ids'])} |")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Recall, precision and leaks of a PII redaction job's output.")
    ap.add_argument("dataset", help="the labelled set, e.g. data/pii/messages.jsonl")
    ap.add_argument("output", help="the job's output JSONL (id, redacted, entities)")
    ap.add_argument("--json", action="store_true", help="print a JSON summary instead of markdown")
    ap.add_argument("--min-overlap", type=float, default=0.5,
                    help="share of a planted span an entity must cover to match it (default 0.5)")
    args = ap.parse_args(argv)
    summary = evaluate(load_jsonl(args.dataset), load_jsonl(args.output), args.min_overlap)
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(to_markdown(summary))


if __name__ == "__main__":
    main()
