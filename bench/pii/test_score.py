"""The scorer on a tiny hand-made dataset and job outputs."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("pii_score", HERE / "score.py")
score = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score)

TEXT_1 = "Hi, I'm Anna Schmidt, mail anna@example.de or 030 12345678 👋"
TEXT_2 = "👋 card 4111 1111 1111 1111, order A-2024-00042"
TEXT_3 = "Build 1.2.3.4.5 is out."


def span(text, typ, value):
    start = text.index(value)
    return {"type": typ, "start": start, "end": start + len(value), "value": value}


DATASET = [
    {"id": "m1", "lang": "en", "format": "chat", "text": TEXT_1,
     "spans": [span(TEXT_1, "GIVEN_NAME", "Anna"), span(TEXT_1, "SURNAME", "Schmidt"),
               span(TEXT_1, "EMAIL", "anna@example.de"), span(TEXT_1, "PHONE", "030 12345678")],
     "decoys": []},
    {"id": "m2", "lang": "en", "format": "chat", "text": TEXT_2,
     "spans": [span(TEXT_2, "CREDIT_CARD", "4111 1111 1111 1111")],
     "decoys": [{"kind": "ORDER_NUMBER", **{k: v for k, v in span(TEXT_2, "X", "A-2024-00042").items()
                                            if k != "type"}}]},
    {"id": "m3", "lang": "en", "format": "chat", "text": TEXT_3, "spans": [],
     "decoys": [{"kind": "VERSION", **{k: v for k, v in span(TEXT_3, "X", "1.2.3.4.5").items() if k != "type"}}]},
]


def entity(text, label, value, source):
    start = text.index(value)
    return {"label": label, "start": start, "end": start + len(value), "word": value, "score": 0.9, "source": source}


def redact(text, values):
    for v in values:
        text = text.replace(v, "[X]")
    return text


def perfect():
    return [
        {"id": "m1", "redacted": redact(TEXT_1, ["Anna", "Schmidt", "anna@example.de", "030 12345678"]),
         "entities": [entity(TEXT_1, "GIVEN_NAME", "Anna", "model"), entity(TEXT_1, "SURNAME", "Schmidt", "model"),
                      entity(TEXT_1, "EMAIL", "anna@example.de", "pattern:email"),
                      entity(TEXT_1, "PHONE", "030 12345678", "pattern:phone")]},
        {"id": "m2", "redacted": redact(TEXT_2, ["4111 1111 1111 1111"]),
         "entities": [entity(TEXT_2, "CREDIT_CARD", "4111 1111 1111 1111", "pattern:credit_card")]},
        {"id": "m3", "redacted": TEXT_3, "entities": []},
    ]


def test_a_perfect_output_scores_one_and_leaks_nothing():
    s = score.evaluate(DATASET, perfect())
    both = s["systems"]["both"]["total"]
    assert both["recall"] == 1 and both["precision"] == 1 and both["fp"] == 0
    assert both["planted"] == 5 and both["hit"] == 5 and both["found"] == 5
    assert s["leaks"]["leaked"] == 0 and s["leaks"]["messages_with_leak"] == 0
    assert s["missing_outputs"] == [] and s["offset_mismatches"]["count"] == 0
    assert s["systems"]["both"]["no_pii_messages_flagged"] == 0


def test_systems_split_by_source():
    s = score.evaluate(DATASET, perfect())
    model, patterns = s["systems"]["model"], s["systems"]["patterns"]
    assert model["per_type"]["GIVEN_NAME"]["recall"] == 1 and model["per_type"]["EMAIL"]["recall"] == 0
    assert model["total"]["found"] == 2 and model["total"]["precision"] == 1
    assert patterns["per_type"]["CREDIT_CARD"]["recall"] == 1 and patterns["per_type"]["SURNAME"]["hit"] == 0
    assert patterns["total"]["found"] == 3


def test_a_missing_entity_lowers_recall_and_leaks():
    out = perfect()
    out[0]["entities"] = [e for e in out[0]["entities"] if e["label"] != "EMAIL"]
    out[0]["redacted"] = redact(TEXT_1, ["Anna", "Schmidt", "030 12345678"])
    s = score.evaluate(DATASET, out)
    both = s["systems"]["both"]
    assert both["per_type"]["EMAIL"]["recall"] == 0 and both["per_type"]["EMAIL"]["hit"] == 0
    assert both["total"]["recall"] == pytest.approx(4 / 5) and both["total"]["precision"] == 1
    leaks = s["leaks"]
    assert leaks["leaked"] == 1 and leaks["per_type"]["EMAIL"]["ids"] == ["m1"]
    assert leaks["messages_with_leak"] == 1 and leaks["message_ids_with_leak"] == ["m1"]


def test_a_false_positive_lowers_precision_and_is_traced_to_the_decoy():
    out = perfect()
    out[2]["entities"] = [entity(TEXT_3, "IP_ADDRESS", "1.2.3.4", "pattern:ip")]
    out[1]["entities"].append(entity(TEXT_2, "PHONE", "2024-00042", "model"))
    s = score.evaluate(DATASET, out)
    both = s["systems"]["both"]
    assert both["total"]["recall"] == 1
    assert both["total"]["found"] == 7 and both["total"]["fp"] == 2
    assert both["total"]["precision"] == pytest.approx(5 / 7)
    assert both["per_type"]["IP_ADDRESS"] == {**both["per_type"]["IP_ADDRESS"], "planted": 0, "found": 1, "fp": 1,
                                              "precision": 0.0, "recall": None}
    assert both["fp_on_decoys"] == {"ORDER_NUMBER": 1, "VERSION": 1}
    assert both["no_pii_messages_flagged"] == 1
    assert s["systems"]["model"]["fp_on_decoys"] == {"ORDER_NUMBER": 1}


def test_half_of_the_planted_span_is_enough():
    out = perfect()
    start = TEXT_1.index("030 12345678")  # 12 code points: 6 are needed
    out[0]["entities"][3].update(start=start + 6, end=start + 12)
    assert score.evaluate(DATASET, out)["systems"]["both"]["per_type"]["PHONE"]["recall"] == 1
    out[0]["entities"][3].update(start=start + 7)
    s = score.evaluate(DATASET, out)["systems"]["both"]["per_type"]["PHONE"]
    assert s["recall"] == 0 and s["precision"] == 0
    assert score.evaluate(DATASET, out, min_overlap=0.4)["systems"]["both"]["per_type"]["PHONE"]["recall"] == 1


def test_names_match_either_name_label_and_any_type_counts_separately():
    out = perfect()
    out[0]["entities"][0]["label"] = "SURNAME"          # the given name labelled as a surname
    out[0]["entities"][2]["label"] = "URL"              # the email labelled as a URL
    t = score.evaluate(DATASET, out)["systems"]["both"]["per_type"]
    g = t["GIVEN_NAME"]
    assert g["recall"] == 1 and g["recall_strict"] == 0 and g["recall_any"] == 1
    e = t["EMAIL"]
    assert e["recall"] == 0 and e["recall_strict"] == 0 and e["recall_any"] == 1
    assert t["URL"]["precision"] == 0 and t["URL"]["precision_any"] == 1


def test_one_entity_over_both_names_hits_both():
    out = perfect()
    start = TEXT_1.index("Anna Schmidt")
    out[0]["entities"][:2] = [{"label": "B-PER_NAME", "start": start, "end": start + 12, "word": "Anna Schmidt",
                               "source": "model"}]
    out[0]["entities"][0]["label"] = "B-GIVEN_NAME"   # BIO prefix dropped
    t = score.evaluate(DATASET, out)["systems"]["model"]
    assert t["per_type"]["GIVEN_NAME"]["recall"] == 1 and t["per_type"]["SURNAME"]["recall"] == 1
    assert t["total"]["found"] == 1 and t["total"]["tp"] == 1


def test_label_aliases():
    assert score.normalize_label("I-phone_number") == "PHONE"
    assert score.normalize_label("EMAIL_ADDRESS") == "EMAIL"
    assert score.normalize_label("IPV6") == "IP_ADDRESS"
    assert score.types_agree("IBAN", "BANK_ACCOUNT", "compatible")
    assert score.types_agree("GOVERNMENT_ID", "TAX_ID", "compatible")
    assert not score.types_agree("CREDIT_CARD", "PHONE", "compatible")


def test_reformatted_numbers_still_leak_and_words_do_not():
    card = {"type": "CREDIT_CARD", "value": "4111 1111 1111 1111"}
    assert score.leak_kind(card, "card 4111 1111 1111 1111 ok") == "verbatim"
    assert score.leak_kind(card, "card=4111111111111111") == "reformatted"
    assert score.leak_kind(card, "card 4111-1111-1111-1111.") == "reformatted"
    assert score.leak_kind(card, "card **** **** **** 1111") is None
    iban = {"type": "IBAN", "value": "DE89 3704 0044 0532 0130 00"}
    assert score.leak_kind(iban, "iban de89370400440532013000") == "reformatted"
    phone = {"type": "PHONE", "value": "(030) 123-4567"}
    assert score.leak_kind(phone, "ring 030 1234567 now") == "reformatted"
    name = {"type": "GIVEN_NAME", "value": "Jan"}
    assert score.leak_kind(name, "see you in January") is None
    assert score.leak_kind(name, "see you, Jan!") == "verbatim"
    assert score.leak_kind({"type": "SURNAME", "value": "Müller"}, "Herr Müllerstein") is None
    # digits of a name-like value are only compared verbatim
    assert score.leak_kind({"type": "ZIP_CODE", "value": "10115"}, "PLZ 10 115") is None


def test_missing_outputs_unknown_ids_and_offset_mismatches():
    out = perfect()[:2] + [{"id": "zz", "redacted": "", "entities": []}]
    out[0]["entities"][0]["start"] += 2   # as if offsets were counted in UTF-16 units after an emoji
    out[0]["entities"][0]["end"] += 2
    s = score.evaluate(DATASET, out)
    assert s["missing_outputs"] == ["m3"] and s["unknown_ids"] == ["zz"]
    assert s["offset_mismatches"]["count"] == 1
    assert s["leaks"]["messages_scored"] == 2


def test_cli_markdown_and_json(tmp_path):
    data, outp = tmp_path / "data.jsonl", tmp_path / "out.jsonl"
    data.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in DATASET), encoding="utf-8")
    out = perfect()
    out[0]["redacted"] = TEXT_1
    outp.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in out), encoding="utf-8")
    md = subprocess.run([sys.executable, str(HERE / "score.py"), str(data), str(outp)], check=True,
                        capture_output=True, text=True).stdout
    assert "## model" in md and "## patterns" in md and "## both" in md and "## leaks" in md
    assert "| EMAIL | 1 | 1 | 1.000 |" in md
    assert "4 of 5 planted values" in md and "| GIVEN_NAME | 1 | 1 | 1.000 | m1 |" in md
    js = json.loads(subprocess.run([sys.executable, str(HERE / "score.py"), str(data), str(outp), "--json"],
                                   check=True, capture_output=True, text=True).stdout)
    assert js["systems"]["both"]["total"]["recall"] == 1 and js["leaks"]["leaked"] == 4
    assert js["leaks"]["per_type"]["PHONE"]["ids"] == ["m1"]
