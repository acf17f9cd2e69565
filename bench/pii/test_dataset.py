"""Checks data/pii/messages.jsonl: labels exact, check digits right, coverage above minimums, and the file
is what make_dataset.py writes."""

import importlib.util
import ipaddress
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "data" / "pii" / "messages.jsonl"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"pii_{name}", HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gen = _load("make_dataset")
score = _load("score")

MIN_PER_TYPE = {
    "GIVEN_NAME": 150, "SURNAME": 120, "EMAIL": 60, "PHONE": 90, "URL": 15, "IP_ADDRESS": 35,
    "CREDIT_CARD": 30, "IBAN": 30, "STREET_NAME": 40, "BUILDING_NUMBER": 40, "CITY": 40, "ZIP_CODE": 40,
    "GOVERNMENT_ID": 15, "TAX_ID": 10,
}
LANGS = {"en", "de", "es", "fr", "it", "pt", "nl"}
FORMATS = {"chat", "ticket", "email", "log", "json", "form"}


@pytest.fixture(scope="module")
def messages():
    with open(DATA, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def spans_of(messages, typ):
    return [(m, s) for m in messages for s in m["spans"] if s["type"] == typ]


def test_the_file_is_what_the_generator_writes(tmp_path):
    out = tmp_path / "messages.jsonl"
    subprocess.run([sys.executable, str(HERE / "make_dataset.py"), "--out", str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == DATA.read_bytes()


def test_shape_and_ids(messages):
    assert len(messages) >= 240
    ids = [m["id"] for m in messages]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"pii-\d{4}", i) for i in ids)
    for m in messages:
        assert set(m) == {"id", "lang", "format", "text", "spans", "decoys"}
        assert m["lang"] in LANGS and m["format"] in FORMATS and m["text"]


def test_values_are_the_text_at_their_offsets(messages):
    for m in messages:
        for s in m["spans"] + m["decoys"]:
            assert 0 <= s["start"] < s["end"] <= len(m["text"]), (m["id"], s)
            assert m["text"][s["start"]:s["end"]] == s["value"], (m["id"], s)
            assert s["value"] == s["value"].strip(), (m["id"], s)


def test_spans_and_decoys_do_not_overlap(messages):
    for m in messages:
        marks = sorted((s["start"], s["end"]) for s in m["spans"] + m["decoys"])
        for (_, end), (start, _) in zip(marks, marks[1:]):
            assert end <= start, m["id"]


def test_counts_per_type(messages):
    counts = Counter(s["type"] for m in messages for s in m["spans"])
    for typ, least in MIN_PER_TYPE.items():
        assert counts[typ] >= least, (typ, counts[typ])


def test_counts_per_language_and_format(messages):
    langs = Counter(m["lang"] for m in messages)
    assert set(langs) == LANGS
    assert all(n >= 30 for n in langs.values()), langs
    for lang in LANGS:
        types = Counter(s["type"] for m in messages if m["lang"] == lang for s in m["spans"])
        for typ in ("GIVEN_NAME", "SURNAME", "EMAIL", "PHONE", "STREET_NAME", "CITY", "ZIP_CODE", "IP_ADDRESS"):
            assert types[typ] >= 3, (lang, typ, types[typ])
        assert types["CREDIT_CARD"] + types["IBAN"] >= 5, (lang, types)
        assert types["GOVERNMENT_ID"] + types["TAX_ID"] >= 2, (lang, types)
    formats = Counter(m["format"] for m in messages)
    assert set(formats) == FORMATS and all(n >= 15 for n in formats.values()), formats


def test_messages_without_pii(messages):
    empty = [m for m in messages if not m["spans"]]
    assert 0.12 <= len(empty) / len(messages) <= 0.25
    assert {m["lang"] for m in empty} == LANGS
    assert sum(bool(m["decoys"]) for m in empty) >= 25


def test_credit_cards_pass_luhn(messages):
    for m, s in spans_of(messages, "CREDIT_CARD"):
        digits = re.sub(r"[ -]", "", s["value"])
        assert digits.isdigit() and gen.luhn_ok(digits), (m["id"], s)
        assert (len(digits) == 15 and digits[:2] in ("34", "37")) or (
            len(digits) == 16 and (digits[0] == "4" or "51" <= digits[:2] <= "55" or "2221" <= digits[:4] <= "2720")
        ), (m["id"], s)
    brands = Counter(re.sub(r"[ -]", "", s["value"])[0] for _, s in spans_of(messages, "CREDIT_CARD"))
    assert brands["4"] >= 5 and brands["5"] + brands["2"] >= 5 and brands["3"] >= 3, brands
    seps = Counter(" " if " " in s["value"] else "-" if "-" in s["value"] else "" for _, s in
                   spans_of(messages, "CREDIT_CARD"))
    assert all(seps[k] >= 3 for k in (" ", "-", "")), seps


def test_ibans_pass_mod97(messages):
    countries = Counter()
    for m, s in spans_of(messages, "IBAN"):
        v = s["value"]
        compact = v.replace(" ", "")
        assert gen.iban_ok(v), (m["id"], s)
        assert len(compact) == gen.IBAN_LENGTHS[compact[:2]], (m["id"], s)
        assert v == compact or v == " ".join(compact[i:i + 4] for i in range(0, len(compact), 4)), (m["id"], s)
        countries[compact[:2]] += 1
    for c in ("DE", "FR", "ES", "GB", "NL", "IT"):
        assert countries[c] >= 3, countries
    assert sum(" " in s["value"] for _, s in spans_of(messages, "IBAN")) >= 5
    assert sum(" " not in s["value"] for _, s in spans_of(messages, "IBAN")) >= 5


def test_tricky_negatives_fail_their_checks(messages):
    kinds = Counter(d["kind"] for m in messages for d in m["decoys"])
    for kind in ("CARD_LIKE", "IBAN_LIKE", "VERSION", "ORDER_NUMBER", "DATE", "PRICE"):
        assert kinds[kind] >= 3, kinds
    for m in messages:
        for d in m["decoys"]:
            if d["kind"] == "CARD_LIKE":
                assert not gen.luhn_ok(re.sub(r"[ -]", "", d["value"])), (m["id"], d)
            elif d["kind"] == "IBAN_LIKE":
                assert not gen.iban_ok(d["value"]), (m["id"], d)
            elif d["kind"] == "VERSION" and d["value"].count(".") == 3:
                with pytest.raises(ValueError):
                    ipaddress.IPv4Address(d["value"])
    assert any(d["value"].count(".") == 4 for m in messages for d in m["decoys"] if d["kind"] == "VERSION")


def test_network_and_contact_values(messages):
    versions = Counter()
    for m, s in spans_of(messages, "IP_ADDRESS"):
        versions[ipaddress.ip_address(s["value"]).version] += 1
    assert versions[4] >= 15 and versions[6] >= 15, versions
    for m, s in spans_of(messages, "EMAIL"):
        assert re.fullmatch(r"[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)+", s["value"]), (m["id"], s)
    for m, s in spans_of(messages, "URL"):
        assert re.match(r"(https?://|www\.)", s["value"]), (m["id"], s)


def test_phone_numbers_have_plausible_lengths(messages):
    """National significant numbers of 9 to 11 digits; US numbers only in the fictional 555-01XX block."""
    intl = 0
    for m, s in spans_of(messages, "PHONE"):
        v = s["value"]
        digits = re.sub(r"\D", "", v.replace("(0)", ""))
        if re.match(r"\(?\+|00", v):
            intl += 1
            digits = digits[2:] if digits.startswith("00") else digits
            cc = next(c for c in ("351", "1", "44", "49", "33", "34", "39", "31", "55") if digits.startswith(c))
            assert 9 <= len(digits) - len(cc) <= 11, (m["id"], v)
        else:
            assert 9 <= len(digits) <= 12, (m["id"], v)
        if re.search(r"\b555\b", v):
            assert re.search(r"555[-. ]01\d\d$", v), (m["id"], v)
    assert intl >= 30


def test_identity_numbers_check_digits(messages):
    checked = Counter()
    for m in messages:
        for s in m["spans"]:
            if s["type"] not in ("GOVERNMENT_ID", "TAX_ID"):
                continue
            v = s["value"].replace(" ", "")
            if re.fullmatch(r"\d{3}-\d{2}-\d{4}", v):                   # US SSN
                assert v[:3] not in ("000", "666") and v[0] != "9" and v[4:6] != "00" and v[7:] != "0000"
            elif re.fullmatch(r"[XYZ]?\d{7,8}[A-Z]", v):                 # Spanish DNI / NIE
                checked["DNI"] += 1
                n = int("XYZ".index(v[0]) * 10 ** 7 + int(v[1:-1])) if v[0] in "XYZ" else int(v[:-1])
                assert v[-1] == gen.DNI_LETTERS[n % 23], v
            elif m["lang"] == "nl":                                      # BSN, the 11-test
                checked["BSN"] += 1
                d = list(map(int, v))
                assert len(d) == 9 and (sum(x * w for x, w in zip(d, range(9, 1, -1))) - d[8]) % 11 == 0, v
            elif re.fullmatch(r"[A-Z]{6}\d\d[A-Z]\d\d[A-Z]\d{3}[A-Z]", v):  # codice fiscale
                checked["CF"] += 1
                assert v[-1] == gen._odd_even_letter(v[:-1]), v
            elif re.fullmatch(r"\d{13}\d\d", v):                         # French NIR
                checked["NIR"] += 1
                assert int(v[13:]) == 97 - int(v[:13]) % 97, v
            elif m["lang"] == "pt" and re.fullmatch(r"\d{9}", v):          # Portuguese NIF
                checked["NIF"] += 1
                r = sum(int(x) * w for x, w in zip(v, range(9, 1, -1))) % 11
                assert int(v[8]) == (0 if r < 2 else 11 - r), v
            elif m["lang"] == "de":                                      # German Steuer-ID
                checked["Steuer-ID"] += 1
                product = 10
                for ch in v[:10]:
                    product = ((int(ch) + product) % 10 or 10) * 2 % 11
                assert len(v) == 11 and int(v[10]) == (11 - product) % 10, v
                assert sorted(Counter(v[:10]).values()) == [1] * 8 + [2], v
    assert all(checked[k] >= 1 for k in ("DNI", "BSN", "CF", "NIR", "NIF", "Steuer-ID")), checked


def test_edge_cases_are_present(messages):
    assert any(s["start"] == 0 for m in messages for s in m["spans"])
    assert any(s["end"] == len(m["text"]) for m in messages for s in m["spans"])
    # an emoji outside the Basic Multilingual Plane (two UTF-16 units, one code point) before an identifier
    assert sum(any(ord(c) > 0xFFFF for c in m["text"][:s["start"]]) for m in messages for s in m["spans"]) >= 10
    # a given name followed right away by a surname
    adjacent = sum(a["type"] == "GIVEN_NAME" and b["type"] == "SURNAME" and m["text"][a["end"]:b["start"]] == " "
                   for m in messages for a, b in zip(m["spans"], m["spans"][1:]))
    assert adjacent >= 50
    assert any(a["type"] == b["type"] == "SURNAME" and b["start"] == a["end"] + 1
               for m in messages for a, b in zip(m["spans"], m["spans"][1:]))
    assert any(any(ord(c) > 127 for c in s["value"]) for m, s in spans_of(messages, "SURNAME"))


def test_a_perfect_redaction_leaks_nothing(messages):
    """No planted value occurs in its text again outside the spans, so the leak count is exact."""
    for m in messages:
        red = m["text"]
        for s in sorted(m["spans"], key=lambda s: -s["start"]):
            red = red[:s["start"]] + f"<{s['type']}>" + red[s["end"]:]
        for s in m["spans"]:
            assert score.leak_kind(s, red) is None, (m["id"], s)
