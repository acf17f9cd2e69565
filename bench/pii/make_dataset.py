#!/usr/bin/env python3
"""Writes data/pii/messages.jsonl: a labelled, synthetic PII evaluation set.

Deterministic (fixed seed, standard library only): running it twice writes the same bytes. Every message
comes from a hand-written template filled from hand-written value lists; the generator records where it
put each value, so the labels are exact by construction. Nothing here looks at what a detector finds.

Each line:
    {"id": "pii-0001", "lang": "de", "format": "form", "text": "...",
     "spans": [{"type": "EMAIL", "start": 12, "end": 30, "value": "..."}],
     "decoys": [{"kind": "CARD_LIKE", "start": 40, "end": 59, "value": "..."}]}

start/end are Unicode code points (Python str indexes), end exclusive, and value == text[start:end].
"spans" are planted identifiers (what a redactor must remove). "decoys" are tricky negatives (version
numbers, order numbers, dates, prices, card-like numbers that fail Luhn, IBAN-like strings that fail
mod-97...): they are not PII and a detector that flags them makes a false positive.

    python bench/pii/make_dataset.py              # writes data/pii/messages.jsonl
    python bench/pii/make_dataset.py --out X.jsonl
"""

import argparse
import json
import random
import re
import sys
import unicodedata
from pathlib import Path

SEED = 20240315
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "data" / "pii" / "messages.jsonl"

# Messages per language: templates with PII are cycled until this many; the PII-free ones come on top.
PII_MESSAGES = {"en": 40, "de": 31, "es": 31, "fr": 31, "it": 31, "pt": 31, "nl": 31}

# ---------------------------------------------------------------------------------------------------------
# Check digits (also imported by the tests)


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_digit(body):
    for d in "0123456789":
        if luhn_ok(body + d):
            return d
    raise AssertionError(body)


def iban_numeric(s):
    return "".join(str(int(ch, 36)) for ch in s)


def iban_ok(iban):
    s = re.sub(r"\s", "", iban).upper()
    return int(iban_numeric(s[4:] + s[:4])) % 97 == 1


def iban_make(country, bban):
    check = 98 - int(iban_numeric(bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


# The lengths of the IBANs planted here (ISO 13616 registry).
IBAN_LENGTHS = {"DE": 22, "FR": 27, "ES": 24, "GB": 22, "NL": 18, "IT": 27, "PT": 25}

# ---------------------------------------------------------------------------------------------------------
# Value lists, written by hand

GIVEN = {
    "en": ["James", "Olivia", "Michael", "Emily", "David", "Sarah", "Thomas", "Hannah", "Daniel", "Grace",
           "Liam", "Charlotte", "Ethan", "Amelia", "Noah", "Isla"],
    "de": ["Jürgen", "Anna", "Lukas", "Sophie", "Maximilian", "Leonie", "Katrin", "Uwe", "Felix", "Jana",
           "Tobias", "Mia", "Henrik", "Lena", "Sören", "Franziska"],
    "es": ["Lucía", "Javier", "Carmen", "Alejandro", "Sofía", "Pablo", "Marta", "Diego", "Elena", "Sergio",
           "Nuria", "Álvaro", "Paula", "Íñigo", "Rocío", "José Luis"],
    "fr": ["Élodie", "Mathieu", "Camille", "Théo", "Chloé", "François", "Margaux", "Julien", "Inès",
           "Baptiste", "Léa", "Nicolas", "Amandine", "Hugo", "Noémie", "Jean-Pierre"],
    "it": ["Giulia", "Lorenzo", "Francesca", "Matteo", "Chiara", "Alessandro", "Martina", "Davide", "Sara",
           "Federico", "Alessia", "Niccolò", "Valentina", "Gabriele", "Beatrice", "Andrea"],
    "pt": ["João", "Inês", "Gonçalo", "Beatriz", "Thiago", "Mariana", "Rafael", "Larissa", "Tiago", "Ana",
           "Luís", "Camila", "Rodrigo", "Leonor", "Vinícius", "Maria"],
    "nl": ["Sanne", "Daan", "Femke", "Bram", "Lotte", "Joris", "Fleur", "Thijs", "Anouk", "Sem", "Noor",
           "Pieter", "Eline", "Ruben", "Marieke", "Wouter"],
    # Names from other cultures, for people living anywhere.
    "other": ["Mehmet", "Ayşe", "Fatima", "Mohammed", "Wei", "Priya", "Aleksandra", "Oluwaseun", "Hiroshi",
              "Siobhán", "Dragan", "Kwame", "Anh", "Yusuf", "Leila", "Zofia", "Arjun", "Olga"],
}

SURNAME = {
    "en": ["Smith", "Johnson", "O'Brien", "Williams", "Taylor", "Brown", "Walker", "Harris", "Clarke",
           "Robinson", "Hughes", "Edwards", "Murphy", "Thompson", "Wright", "Bennett"],
    "de": ["Müller", "Schmidt", "Schneider", "Weiß", "Becker", "Hoffmann", "Schäfer", "Koch", "Richter",
           "Wagner", "Krüger", "Neumann", "Zimmermann", "Braun", "Hartmann", "Vogel"],
    "es": ["García", "Fernández", "López", "Martínez", "Rodríguez", "Sánchez", "Pérez", "Gómez", "Ruiz",
           "Jiménez", "Muñoz", "Álvarez", "Romero", "Navarro", "Torres", "Domínguez"],
    "fr": ["Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Bonnet", "Mercier", "Lambert", "Fontaine",
           "Rousseau", "Chevalier", "Gauthier", "Perrin", "Morel", "Roux", "Faure"],
    "it": ["Rossi", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno",
           "Gallo", "Conti", "De Luca", "Costa", "Giordano", "Mancini", "Lombardi"],
    "pt": ["Silva", "Santos", "Ferreira", "Oliveira", "Costa", "Gonçalves", "Rodrigues", "Martins",
           "Pereira", "Carvalho", "Almeida", "Sousa", "Ribeiro", "Lima", "Araújo", "Barbosa"],
    "nl": ["de Vries", "van den Berg", "Jansen", "Bakker", "Visser", "van Dijk", "Smit", "Meijer",
           "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen"],
    "other": ["Yılmaz", "Kowalski", "Nowak", "Chen", "Nakamura", "Haddad", "Kaur", "Novák", "Okonkwo",
              "Mensah", "Nguyen", "Petrović", "Al-Masri", "Ivanova", "Kim", "Demir", "Sharma", "Wiśniewska"],
}

# Countries whose people often carry two surnames, written side by side.
TWO_SURNAMES = {"ES", "PT", "BR"}

# (street, the city and postal code it is paired with come from CITIES)
STREETS = {
    "US": ["Elm Street", "Maple Avenue", "Market Street", "Oak Drive", "Sunset Boulevard", "Pine Street",
           "Lakeshore Drive", "Cedar Lane", "Washington Avenue"],
    "GB": ["Station Road", "High Street", "Church Lane", "Victoria Road", "Baker Street", "Queen's Avenue",
           "Mill Lane", "Park Crescent", "Albert Terrace"],
    "DE": ["Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Lindenallee", "Goethestraße",
           "Friedrichstraße", "Kastanienweg", "Am Stadtpark", "Berliner Straße"],
    "FR": ["rue de la République", "avenue Victor Hugo", "boulevard Voltaire", "rue des Lilas",
           "place Bellecour", "rue du Faubourg Saint-Antoine", "allée des Tilleuls", "quai de la Tournelle",
           "chemin des Vignes"],
    "ES": ["Calle Mayor", "Calle de Alcalá", "Avenida de la Constitución", "Paseo de Gracia", "Calle del Pez",
           "Gran Vía", "Calle de Colón", "Plaza de España", "Calle San Vicente Mártir"],
    "IT": ["Via Roma", "Via del Corso", "Corso Vittorio Emanuele II", "Via Garibaldi", "Piazza della Signoria",
           "Via dell'Indipendenza", "Viale Monza", "Via Toledo", "Via Mazzini"],
    "PT": ["Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua do Ouro", "Travessa do Carmo",
           "Rua das Flores", "Avenida dos Aliados"],
    "BR": ["Rua Oscar Freire", "Avenida Paulista", "Rua das Laranjeiras", "Avenida Atlântica", "Rua da Bahia",
           "Rua XV de Novembro"],
    "NL": ["Keizersgracht", "Prinsengracht", "Coolsingel", "Oudegracht", "Lange Voorhout", "Dorpsstraat",
           "Kerkstraat", "Stationsweg", "Vismarkt"],
}

# (postal code, city[, state]) pairs that belong together
CITIES = {
    "US": [("62704", "Springfield", "IL"), ("10118", "New York", "NY"), ("94103", "San Francisco", "CA"),
           ("02108", "Boston", "MA"), ("60601", "Chicago", "IL"), ("98101", "Seattle", "WA"),
           ("78701", "Austin", "TX"), ("80202", "Denver", "CO"), ("33131", "Miami", "FL")],
    "GB": [("M1 2AB", "Manchester"), ("EH2 3AH", "Edinburgh"), ("B3 2PW", "Birmingham"), ("LS1 4DY", "Leeds"),
           ("BS1 5TR", "Bristol"), ("NW1 6XE", "London"), ("E1 6AN", "London"), ("CF10 1EP", "Cardiff"),
           ("G2 3JZ", "Glasgow")],
    "DE": [("10115", "Berlin"), ("10243", "Berlin"), ("80331", "München"), ("20095", "Hamburg"),
           ("50667", "Köln"), ("60311", "Frankfurt am Main"), ("04109", "Leipzig"), ("70173", "Stuttgart"),
           ("01067", "Dresden")],
    "FR": [("75011", "Paris"), ("75016", "Paris"), ("69002", "Lyon"), ("13001", "Marseille"),
           ("31000", "Toulouse"), ("33000", "Bordeaux"), ("59000", "Lille"), ("44000", "Nantes"),
           ("67000", "Strasbourg")],
    "ES": [("28013", "Madrid"), ("28014", "Madrid"), ("08008", "Barcelona"), ("41004", "Sevilla"),
           ("46002", "Valencia"), ("48001", "Bilbao"), ("29015", "Málaga"), ("50001", "Zaragoza"),
           ("15001", "A Coruña")],
    "IT": [("20121", "Milano"), ("00186", "Roma"), ("10123", "Torino"), ("80133", "Napoli"),
           ("40121", "Bologna"), ("50123", "Firenze"), ("30124", "Venezia"), ("16121", "Genova"),
           ("90133", "Palermo")],
    "PT": [("1100-053", "Lisboa"), ("1250-143", "Lisboa"), ("4000-443", "Porto"), ("3000-150", "Coimbra"),
           ("4700-325", "Braga"), ("8000-138", "Faro")],
    "BR": [("01426-001", "São Paulo", "SP"), ("01310-200", "São Paulo", "SP"),
           ("22071-000", "Rio de Janeiro", "RJ"), ("30130-010", "Belo Horizonte", "MG"),
           ("40020-000", "Salvador", "BA"), ("80010-000", "Curitiba", "PR")],
    "NL": [("1015 CJ", "Amsterdam"), ("1072 AB", "Amsterdam"), ("3011 AD", "Rotterdam"), ("3511 AZ", "Utrecht"),
           ("2514 EE", "Den Haag"), ("5611 AB", "Eindhoven"), ("9711 LM", "Groningen"), ("6811 KL", "Arnhem")],
}

EMAIL_DOMAINS = {
    "US": ["gmail.com", "yahoo.com", "example.com", "outlook.com"],
    "GB": ["btinternet.com", "outlook.com", "example.co.uk", "gmail.com"],
    "DE": ["gmx.de", "web.de", "t-online.de", "posteo.de", "beispiel.de"],
    "FR": ["orange.fr", "free.fr", "laposte.net", "exemple.fr"],
    "ES": ["gmail.com", "hotmail.es", "telefonica.net", "ejemplo.es"],
    "IT": ["libero.it", "virgilio.it", "tiscali.it", "esempio.it"],
    "PT": ["sapo.pt", "gmail.com", "exemplo.pt"],
    "BR": ["uol.com.br", "bol.com.br", "gmail.com"],
    "NL": ["ziggo.nl", "kpnmail.nl", "xs4all.nl", "voorbeeld.nl"],
}

URL_WORD = {"US": "design", "GB": "design", "DE": "fotografie", "FR": "photo", "ES": "fotografia",
            "IT": "studio", "PT": "fotografia", "BR": "fotografia", "NL": "fotografie"}
URL_TLD = {"US": "com", "GB": "co.uk", "DE": "de", "FR": "fr", "ES": "es", "IT": "it", "PT": "pt",
           "BR": "com.br", "NL": "nl"}

CULTURE = {"US": "en", "GB": "en", "DE": "de", "FR": "fr", "ES": "es", "IT": "it", "PT": "pt", "BR": "pt",
           "NL": "nl"}

# Dialling codes of the countries whose numbers are planted
CC = {"US": "1", "GB": "44", "DE": "49", "FR": "33", "ES": "34", "IT": "39", "NL": "31", "PT": "351", "BR": "55"}

# ---------------------------------------------------------------------------------------------------------
# Telephone numbers.
#
# Only allocated ranges, each a geographic or mobile range of its national numbering plan, with the
# national significant number of the right length; fictional blocks where the plan has one:
#   US  NPA + 555-01XX (the fictional block; area codes in use)      10 digits
#   GB  020 7946 0XXX (Ofcom's drama range, London), 0121 234 5XXX (Birmingham), 07400 123XXX (mobile)
#   DE  030 / 040 + 8 digits (Berlin, Hamburg), 089 + 8 digits (München), 0151 / 0152 / 0157 + 8 (mobile)
#   FR  01 / 04 7 + 8 digits (geographic), 06 [1245678] / 07 [5-8] + 7 digits (mobile)
#   ES  91 / 93 + 7 digits (Madrid, Barcelona), 6 + 8 digits (mobile)
#   IT  02 + 8 digits (Milano), 06 4 / 06 8 + 7 digits (Roma), 3[2-9]X + 7 digits (mobile)
#   NL  020 / 010 / 030 + 7 digits (Amsterdam, Rotterdam, Utrecht), 06 [1-5] + 7 digits (mobile)
#   PT  21 + 7 digits (Lisboa), 91 / 93 / 96 + 7 digits (mobile)     only with +351
#   BR  11 9 + 8 digits (São Paulo mobile), 21 [2-5] + 7 digits (Rio fixed)   only with +55
# National formats are written only for the countries whose numbers a default-region parser can read
# (US, GB, DE, FR, ES, IT, NL); Portuguese and Brazilian numbers are always international.


def _d(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def phone_number(rng, country, kind):
    """(national, international) writings of one number; kind is 'fixed' or 'mobile'."""
    pick = rng.choice
    if country == "US":
        area = pick(["201", "202", "206", "212", "303", "312", "415", "512", "617", "646", "718"])
        line = "01" + _d(rng, 2)
        nat = pick([f"({area}) 555-{line}", f"{area}-555-{line}", f"{area}.555.{line}", f"{area} 555 {line}"])
        intl = pick([f"+1 {area} 555 {line}", f"+1-{area}-555-{line}", f"+1 ({area}) 555-{line}"])
    elif country == "GB":
        if kind == "mobile":
            rest = _d(rng, 3)
            nat = pick([f"07400 123{rest}", f"07400 123 {rest}"])
            intl = pick([f"+44 7400 123{rest}", f"+44 7400 123 {rest}"])
        elif rng.random() < 0.6:
            rest = _d(rng, 3)
            nat = f"020 7946 0{rest}"
            intl = pick([f"+44 20 7946 0{rest}", f"+44 (0)20 7946 0{rest}"])
        else:
            rest = _d(rng, 3)
            nat = f"0121 234 5{rest}"
            intl = f"+44 121 234 5{rest}"
    elif country == "DE":
        if kind == "mobile":
            pre = pick(["151", "152", "157"])
            sub = str(rng.randint(2, 9)) + _d(rng, 7)
            nat = pick([f"0{pre} {sub}", f"0{pre}-{sub}", f"0{pre}/{sub}", f"0{pre} {sub[:4]} {sub[4:]}"])
            intl = pick([f"+49 {pre} {sub}", f"+49 {pre} {sub[:4]} {sub[4:]}", f"0049 {pre} {sub}"])
        else:
            area = pick(["30", "40", "89"])
            sub = str(rng.randint(2, 9)) + _d(rng, 7)
            nat = pick([f"0{area} {sub}", f"0{area}/{sub}", f"(0{area}) {sub}", f"0{area} {sub[:4]} {sub[4:]}"])
            intl = pick([f"+49 {area} {sub}", f"+49 (0){area} {sub}", f"+49 {area} {sub[:4]} {sub[4:]}"])
    elif country == "FR":
        if kind == "mobile":
            nsn = pick(["6" + pick("1245678"), "7" + pick("5678")]) + _d(rng, 7)
        else:
            nsn = pick(["1" + _d(rng, 8), "47" + _d(rng, 7)])
        p = [nsn[0], nsn[1:3], nsn[3:5], nsn[5:7], nsn[7:9]]
        nat = pick(["0" + " ".join(p), "0" + ".".join(p), "0" + nsn])
        intl = pick(["+33 " + " ".join(p), "+33 (0)" + " ".join(p), "+33 " + nsn])
    elif country == "ES":
        if kind == "mobile":
            nsn = "6" + _d(rng, 8)
        else:
            nsn = pick(["91", "93"]) + str(rng.randint(1, 9)) + _d(rng, 6)
        nat = pick([f"{nsn[:3]} {nsn[3:6]} {nsn[6:]}", f"{nsn[:3]} {nsn[3:5]} {nsn[5:7]} {nsn[7:]}", nsn])
        intl = pick([f"+34 {nsn[:3]} {nsn[3:6]} {nsn[6:]}", f"+34 {nsn[:3]} {nsn[3:5]} {nsn[5:7]} {nsn[7:]}",
                     f"+34 {nsn}"])
    elif country == "IT":
        if kind == "mobile":
            pre = pick(["320", "328", "333", "338", "340", "347", "349", "366", "388", "393"])
            sub = _d(rng, 7)
            nat = pick([f"{pre} {sub[:3]} {sub[3:]}", f"{pre} {sub}", f"{pre}-{sub}"])
            intl = pick([f"+39 {pre} {sub[:3]} {sub[3:]}", f"+39 {pre} {sub}"])
        else:
            if rng.random() < 0.5:
                area, sub = "02", str(rng.randint(2, 9)) + _d(rng, 7)
            else:
                area, sub = "06", pick("48") + _d(rng, 7)
            nat = pick([f"{area} {sub[:4]} {sub[4:]}", f"{area} {sub}", f"{area}-{sub}"])
            intl = pick([f"+39 {area} {sub[:4]} {sub[4:]}", f"+39 {area} {sub}"])
    elif country == "NL":
        if kind == "mobile":
            sub = pick("12345") + _d(rng, 7)
            nat = pick([f"06 {sub}", f"06-{sub}", f"06 {sub[:4]} {sub[4:]}"])
            intl = pick([f"+31 6 {sub}", f"+31 6 {sub[:4]} {sub[4:]}", f"+31 (0)6 {sub}"])
        else:
            area = pick(["20", "10", "30"])
            sub = str(rng.randint(2, 9)) + _d(rng, 6)
            nat = pick([f"0{area} {sub[:3]} {sub[3:]}", f"0{area}-{sub}", f"0{area} {sub}"])
            intl = pick([f"+31 {area} {sub[:3]} {sub[3:]}", f"+31 {area} {sub}"])
    elif country == "PT":
        if kind == "mobile":
            nsn = pick(["91", "93", "96"]) + _d(rng, 7)
            nat = intl = pick([f"+351 {nsn[:3]} {nsn[3:6]} {nsn[6:]}", f"(+351) {nsn[:3]} {nsn[3:6]} {nsn[6:]}",
                               f"+351 {nsn}", f"00351 {nsn}"])
        else:
            nsn = "21" + str(rng.randint(1, 9)) + _d(rng, 6)
            nat = intl = pick([f"+351 {nsn[:2]} {nsn[2:5]} {nsn[5:]}", f"+351 {nsn}"])
    elif country == "BR":
        if kind == "mobile":
            sub = "9" + str(rng.randint(6, 9)) + _d(rng, 7)
            nat = intl = pick([f"+55 11 {sub[:5]}-{sub[5:]}", f"+55 (11) {sub[:5]}-{sub[5:]}", f"+55 11 {sub}"])
        else:
            sub = str(rng.randint(2, 5)) + _d(rng, 7)
            nat = intl = pick([f"+55 21 {sub[:4]}-{sub[4:]}", f"+55 (21) {sub[:4]}-{sub[4:]}"])
    else:
        raise ValueError(country)
    return nat, intl


# ---------------------------------------------------------------------------------------------------------
# Cards, accounts, identity numbers


def credit_card(rng):
    kind = rng.choice(["visa", "visa", "mastercard", "mastercard2", "amex"])
    if kind == "visa":
        body = "4" + _d(rng, 14)
    elif kind == "mastercard":
        body = "5" + rng.choice("12345") + _d(rng, 13)
    elif kind == "mastercard2":
        body = str(rng.randint(2221, 2720)) + _d(rng, 11)
    else:
        body = rng.choice(["34", "37"]) + _d(rng, 12)
    number = body + luhn_digit(body)
    return format_card(rng, number)


def format_card(rng, number):
    sep = rng.choice([" ", " ", "-", ""])
    if len(number) == 15:
        groups = [number[:4], number[4:10], number[10:]]
    else:
        groups = [number[i:i + 4] for i in range(0, 16, 4)]
    return sep.join(groups)


def card_like(rng):
    """A 16-digit number in card format whose check digit is wrong."""
    body = rng.choice(["4", "5" + rng.choice("12345")])
    body += _d(rng, 15 - len(body))
    good = luhn_digit(body)
    bad = str((int(good) + rng.randint(1, 9)) % 10)
    return format_card(rng, body + bad)


def _es_dc(ten):
    weights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]
    dc = 11 - sum(int(c) * w for c, w in zip(ten, weights)) % 11
    return {11: 0, 10: 1}.get(dc, dc)


CIN_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]


def _odd_even_letter(chars):
    """The check letter of the Italian CIN and codice fiscale: odd positions through CIN_ODD."""
    total = 0
    for i, ch in enumerate(chars):
        v = int(ch) if ch.isdigit() else ord(ch) - ord("A")
        total += CIN_ODD[v] if i % 2 == 0 else v
    return chr(ord("A") + total % 26)


def iban(rng, country):
    if country == "DE":
        bban = rng.choice(["37040044", "10070000", "50010517", "20050550", "70150000", "12030000"]) + _d(rng, 10)
    elif country == "FR":
        bank = rng.choice(["30006", "10107", "20041", "30004", "30003"])
        branch, account = _d(rng, 5), _d(rng, 11)
        key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
        bban = f"{bank}{branch}{account}{key:02d}"
    elif country == "ES":
        bank = rng.choice(["2100", "0049", "0182", "2085", "0081"])
        branch, account = _d(rng, 4), _d(rng, 10)
        bban = f"{bank}{branch}{_es_dc('00' + bank + branch)}{_es_dc(account)}{account}"
    elif country == "GB":
        bban = rng.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + _d(rng, 6) + _d(rng, 8)
    elif country == "NL":
        while True:
            account = "0" + str(rng.randint(1, 9)) + _d(rng, 8)
            if sum(int(c) * w for c, w in zip(account, range(10, 0, -1))) % 11 == 0:
                break
        bban = rng.choice(["ABNA", "INGB", "RABO", "TRIO", "SNSB"]) + account
    elif country == "IT":
        rest = rng.choice(["03069", "02008", "05034", "03062"]) + _d(rng, 5) + _d(rng, 12)
        bban = _odd_even_letter(rest) + rest
    elif country == "PT":
        nib = rng.choice(["0002", "0033", "0035", "0010"]) + _d(rng, 4) + _d(rng, 11)
        bban = nib + f"{98 - int(nib) * 100 % 97:02d}"
    else:
        raise ValueError(country)
    number = iban_make(country, bban)
    assert len(number) == IBAN_LENGTHS[country] and iban_ok(number), number
    return format_iban(rng, number)


def format_iban(rng, number):
    if rng.random() < 0.65:
        return " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    return number


def iban_like(rng):
    """An IBAN of the right shape whose check digits are wrong."""
    good = re.sub(" ", "", iban(rng, rng.choice(["DE", "FR", "ES", "NL"])))
    while True:
        cd = f"{(int(good[2:4]) + rng.randint(1, 40)) % 97:02d}"
        bad = good[:2] + cd + good[4:]
        if not iban_ok(bad):
            return format_iban(rng, bad)


def ssn(rng):
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def ein(rng):
    return f"{rng.choice(['12', '27', '45', '84', '91'])}-{_d(rng, 7)}"


def nino(rng):
    first = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
        second = "A"
    d = _d(rng, 6)
    return rng.choice([f"{first}{second} {d[:2]} {d[2:4]} {d[4:]} {rng.choice('ABCD')}",
                       f"{first}{second}{d}{rng.choice('ABCD')}"])


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni(rng):
    if rng.random() < 0.75:
        n = rng.randint(10000000, 99999999)
        return f"{n}{DNI_LETTERS[n % 23]}"
    prefix = rng.choice("XYZ")
    n = _d(rng, 7)
    return f"{prefix}{n}{DNI_LETTERS[int('XYZ'.index(prefix) * 10 ** 7 + int(n)) % 23]}"


def bsn(rng):
    while True:
        d = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        last = sum(x * w for x, w in zip(d, range(9, 1, -1))) % 11
        if last < 10:
            return "".join(map(str, d + [last]))


def steuer_id(rng):
    """German tax id: 10 digits (one of them twice, first not 0), then the ISO 7064 MOD 11,10 digit."""
    while True:
        digits = rng.sample("0123456789", 9)
        digits.insert(rng.randint(0, 9), rng.choice(digits))
        if digits[0] != "0":
            break
    product = 10
    for ch in digits:
        s = (int(ch) + product) % 10 or 10
        product = s * 2 % 11
    check = (11 - product) % 10
    s = "".join(digits) + str(check)
    return rng.choice([s, f"{s[:2]} {s[2:5]} {s[5:8]} {s[8:]}"])


def nir(rng):
    sex = rng.choice("12")
    yy, mm = f"{rng.randint(55, 99):02d}", f"{rng.randint(1, 12):02d}"
    dept = rng.choice(["75", "69", "13", "33", "59", "44"])
    commune, order = f"{rng.randint(1, 120):03d}", f"{rng.randint(1, 999):03d}"
    n = sex + yy + mm + dept + commune + order
    key = f"{97 - int(n) % 97:02d}"
    return rng.choice([n + key, f"{sex} {yy} {mm} {dept} {commune} {order} {key}"])


def _letters(name):
    s = unicodedata.normalize("NFKD", name.upper())
    return "".join(c for c in s if "A" <= c <= "Z")


def codice_fiscale(rng, given, surname):
    def code(name, is_given):
        s = _letters(name)
        cons = [c for c in s if c not in "AEIOU"]
        vows = [c for c in s if c in "AEIOU"]
        if is_given and len(cons) >= 4:
            cons = [cons[0], cons[2], cons[3]]
        return ("".join(cons + vows) + "XXX")[:3]
    female = rng.random() < 0.5
    day = rng.randint(1, 28) + (40 if female else 0)
    body = (code(surname, False) + code(given, True) + f"{rng.randint(55, 99):02d}"
            + "ABCDEHLMPRST"[rng.randint(0, 11)] + f"{day:02d}"
            + rng.choice(["F205", "H501", "L219", "F839", "A944", "D612"]))
    return body + _odd_even_letter(body)


def nif_pt(rng):
    d = [rng.choice([1, 2, 2, 3])] + [rng.randint(0, 9) for _ in range(7)]
    r = sum(x * w for x, w in zip(d, range(9, 1, -1))) % 11
    return "".join(map(str, d)) + str(0 if r < 2 else 11 - r)


def cpf(rng):
    d = [rng.randint(0, 9) for _ in range(9)]
    d.append(sum(x * w for x, w in zip(d, range(10, 1, -1))) * 10 % 11 % 10)
    d.append(sum(x * w for x, w in zip(d, range(11, 1, -1))) * 10 % 11 % 10)
    s = "".join(map(str, d))
    return rng.choice([f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}", s])


def national_id(rng, country, person):
    """(type, value) of the identity or tax number people of this country are asked for."""
    if country == "US":
        return "GOVERNMENT_ID", ssn(rng)
    if country == "GB":
        return "GOVERNMENT_ID", nino(rng)
    if country == "DE":
        return "TAX_ID", steuer_id(rng)
    if country == "FR":
        return "GOVERNMENT_ID", nir(rng)
    if country == "ES":
        return "GOVERNMENT_ID", dni(rng)
    if country == "IT":
        return "TAX_ID", codice_fiscale(rng, person["given"], person["surname"])
    if country == "PT":
        return "TAX_ID", nif_pt(rng)
    if country == "BR":
        return "TAX_ID", cpf(rng)
    if country == "NL":
        return "GOVERNMENT_ID", bsn(rng)
    raise ValueError(country)


# ---------------------------------------------------------------------------------------------------------
# Network identifiers


def ipv4(rng):
    return rng.choice([
        lambda: f"192.0.2.{rng.randint(1, 254)}",
        lambda: f"198.51.100.{rng.randint(1, 254)}",
        lambda: f"203.0.113.{rng.randint(1, 254)}",
        lambda: f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        lambda: f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        lambda: f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    ])()


def ipv6(rng):
    h = lambda: f"{rng.randint(1, 0xffff):x}"  # noqa: E731
    return rng.choice([
        lambda: f"2001:db8:{h()}:{h()}::{h()}",
        lambda: f"2001:0db8:85a3:0000:0000:8a2e:0370:{rng.randint(0, 0xffff):04x}",
        lambda: f"fe80::{h()}:{h()}:{h()}:{h()}",
        lambda: f"2001:db8::{h()}",
        lambda: f"2001:db8:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}",
    ])()


def _ascii(name):
    s = name.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ı", "i"), ("ł", "l"), ("ø", "o")):
        s = s.replace(a, b)
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if c.isascii() and (c.isalnum() or c == "-")).strip("-")


def email(rng, person, country):
    g, s = _ascii(person["given"]).replace("-", ""), _ascii(person["surname"]).replace("-", "")
    local = rng.choice([f"{g}.{s}", f"{g[0]}{s}", f"{g}{rng.randint(70, 99)}", f"{s}.{g}", f"{g}_{s}",
                        f"{g}.{s}{rng.randint(1, 9)}"])
    return f"{local}@{rng.choice(EMAIL_DOMAINS[country])}"


def url(rng, person, country):
    g, s = _ascii(person["given"]).replace("-", ""), _ascii(person["surname"]).replace("-", "")
    return rng.choice([
        lambda: f"https://www.linkedin.com/in/{g}-{s}-{rng.randint(0x1000, 0xffff):x}",
        lambda: f"https://github.com/{g}{s}",
        lambda: f"https://{s}-{URL_WORD[country]}.{URL_TLD[country]}",
        lambda: f"www.{s}-{URL_WORD[country]}.{URL_TLD[country]}",
        lambda: f"https://www.example.com/u/{g}{s}/profile",
        lambda: f"http://{g}{s}.blog.example.org/about",
    ])()


# ---------------------------------------------------------------------------------------------------------
# Tricky negatives: not PII


def v_version(rng):
    r = rng.randint
    return rng.choice([
        lambda: f"{r(1, 4)}.{r(0, 20)}.{r(0, 9)}",
        lambda: f"{r(1, 9)}.{r(0, 9)}.{r(0, 9)}.{r(0, 9)}.{r(0, 9)}",  # five parts: not an IPv4 address
        lambda: f"10.0.{r(19041, 22631)}.{r(1000, 4000)}",            # a Windows build: parts over 255
        lambda: f"v{r(1, 3)}.{r(0, 30)}.{r(0, 9)}-rc.{r(1, 5)}",
    ])()


def v_order(rng):
    return rng.choice([
        lambda: f"A-2024-{rng.randint(100, 99999):05d}",
        lambda: f"#{rng.randint(100, 999)}-{_d(rng, 4)}-{_d(rng, 4)}",
        lambda: f"ORD-{rng.randint(10000, 99999)}",
        lambda: f"2024-{rng.randint(100000, 999999)}",
        lambda: f"INC{_d(rng, 7)}",
    ])()


def v_date(rng, lang):
    y, m, d = rng.choice([2023, 2024, 2025]), rng.randint(1, 12), rng.randint(1, 28)
    if lang == "en":
        return rng.choice([f"{m:02d}/{d:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d} March {y}"])
    return rng.choice([f"{d:02d}.{m:02d}.{y}" if lang in ("de", "nl") else f"{d:02d}/{m:02d}/{y}",
                       f"{y}-{m:02d}-{d:02d}"])


def v_time(rng):
    return (f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
            f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z")


def v_price(rng, lang):
    euros, cents = rng.randint(5, 4999), rng.randint(0, 99)
    if lang == "en":
        return rng.choice([f"${euros:,}.{cents:02d}", f"£{euros:,}.{cents:02d}", f"€{euros:,}.{cents:02d}"])
    grouped = f"{euros:,}".replace(",", ".")
    if lang == "pt":
        return rng.choice([f"{grouped},{cents:02d} €", f"R$ {grouped},{cents:02d}"])
    return rng.choice([f"{grouped},{cents:02d} €", f"€ {grouped},{cents:02d}", f"{euros},{cents:02d} EUR"])


def v_tracking(rng):
    return rng.choice([f"1Z{_d(rng, 3)}AA1{_d(rng, 10)}", f"JJD{_d(rng, 15)}", f"LX{_d(rng, 9)}DE"])


# ---------------------------------------------------------------------------------------------------------
# Templates, written by hand. <<name>> is a placeholder; see Message.fill for what each one writes.
# (format, country or None for the language's default countries, text)

LANG_COUNTRIES = {"en": ["GB", "US"], "de": ["DE"], "es": ["ES"], "fr": ["FR"], "it": ["IT"],
                  "pt": ["PT", "BR"], "nl": ["NL"]}

TEMPLATES = {
    "en": [
        ("chat", None, "hey it's <<given>>, my new number is <<phone_mobile>>"),
        ("chat", None, "<<given>> <<surname>> here 👋 can you send the contract to <<email>>? thx"),
        ("chat", None, "Moving next week! New address: <<address>>. Drop by anytime 🎉"),
        ("chat", None, "<<email>> is my work address, please use that from now on"),
        ("chat", None, "Support chat 💬 <<given>>: my card <<card>> was charged twice for order <<v_order>>"),
        ("ticket", None, "Ticket <<v_order>>: customer <<given>> <<surname>> (<<email>>) reports a double charge "
                         "of <<v_price>> on card <<card>>. Please refund. Assigned to <<given2>>."),
        ("ticket", None, "Subject: Cannot log in\nHi, I'm <<given>> <<surname>>. Since <<v_date>> I get "
                         "'account locked' when logging in from <<ip>>. My phone on file is <<phone>>. Thanks!"),
        ("ticket", None, "Caller <<given>> <<surname>> says the old card <<v_cardlike>> was cancelled and the new "
                         "one is <<card>>. Call back on <<phone_intl>>"),
        ("email", "GB", "Dear <<given2>>,\n\nplease update my bank details to IBAN <<iban>> for the next payroll "
                        "run.\n\nKind regards,\n<<given>> <<surname>>\n<<phone_intl>>\n<<url>>"),
        ("email", None, "Hi team,\nthe invoice <<v_order>> for <<v_price>> was paid today.\n\nBest,\n<<given>> "
                        "<<surname>>\nSenior Buyer\nM: <<phone_mobile>> | E: <<email>>"),
        ("email", "US", "Hello <<given2>> <<surname2>>,\n\nthanks for the call. Our Madrid office is on "
                        "<<phone_foreign>> if you need them.\n\nCheers,\n<<given>>\n📧 <<email>> 📞 <<phone_intl>>"),
        ("log", None, "<<v_time>> INFO auth.login user=<<email>> src_ip=<<ip>> result=success"),
        ("log", None, "<<v_time>> WARN payment.declined card=<<card>> amount=<<v_price>> customer_id=C-88213 "
                      "ip=<<ip6>>"),
        ("log", None, "<<v_time>> DEBUG http.request method=GET path=/api/v2/users/me client=<<ip_any>> "
                      "referer=<<url>> app=<<v_version>>"),
        ("json", None, '{"customer": {"first_name": "<<given>>", "last_name": "<<surname>>", "email": '
                       '"<<email>>", "phone": "<<phone_intl>>"}, "order": "<<v_order>>", "total": "<<v_price>>"}'),
        ("json", "US", '{"event": "signup", "user": {"name": "<<given>> <<surname>>", "ssn": "<<ssn>>", '
                       '"address": {"street": "<<bno>> <<street>>", "city": "<<city>>", "state": "<<state>>", '
                       '"zip": "<<zip>>"}}}'),
        ("form", "US", "Name: <<given>> <<surname>>\nPhone: <<phone>>\nEmail: <<email>>\nAddress: <<address>>\n"
                       "SSN: <<ssn>>"),
        ("form", "GB", "Card holder: <<given>> <<surname>>\nCard number: <<card>>\nBilling address: <<bno>> "
                       "<<street>>, <<city>> <<zip>>\nNational Insurance number: <<natid>>"),
        ("form", "US", "Vendor: Acme Widgets LLC\nEIN: <<ein>>\nContact: <<given>> <<surname>>, <<phone>>"),
        ("form", "GB", "Please wire the deposit to <<iban>> (account holder: <<given>> <<surname>>)."),
    ],
    "de": [
        ("chat", None, "Hi, hier ist <<given>>! Meine neue Handynummer: <<phone_mobile>>"),
        ("chat", None, "<<given>> <<surname>> hier 👋 schickst du mir den Vertrag an <<email>>?"),
        ("chat", None, "Wir sind umgezogen, neue Adresse: <<address>>. Die Klingel geht noch nicht 😅"),
        ("chat", None, "Erreichbar bin ich unter 📞 <<phone>> oder ✉️ <<email>>"),
        ("ticket", None, "Ticket <<v_order>>: Kundenkonto von <<given>> <<surname>>, doppelte Abbuchung von "
                         "<<v_price>>. IBAN für die Erstattung: <<iban>>. Bearbeitung: <<given2>> <<surname2>>"),
        ("ticket", None, "Betreff: Login gesperrt\nHallo, mein Name ist <<given>> <<surname>>. Seit dem <<v_date>> "
                         "kann ich mich nicht mehr anmelden (IP <<ip>>). Rückruf bitte unter <<phone>>."),
        ("ticket", None, "Rückrufbitte: <<given>> <<surname>> ist bis <<v_date>> im Urlaub in Spanien, erreichbar "
                         "unter <<phone_foreign>>."),
        ("email", None, "Sehr geehrte Frau <<surname2>>,\n\nanbei die Unterlagen zu Rechnung <<v_order>>.\n\n"
                        "Mit freundlichen Grüßen\n<<given>> <<surname>>\nMusterfirma GmbH\nTel.: <<phone_intl>>\n"
                        "E-Mail: <<email>>\n<<url>>"),
        ("log", None, "<<v_time>> ERROR zahlung.abgelehnt karte=<<card>> betrag=<<v_price>> ip=<<ip_any>> "
                      "client=<<v_version>>"),
        ("json", None, '{"kunde": {"vorname": "<<given>>", "nachname": "<<surname>>", "strasse": "<<street>> '
                       '<<bno>>", "plz": "<<zip>>", "ort": "<<city>>"}, "steuer_id": "<<natid>>"}'),
        ("form", None, "Vorname: <<given>>\nNachname: <<surname>>\nTelefon: <<phone>>\nE-Mail: <<email>>\n"
                       "Anschrift: <<address>>\nIBAN: <<iban>>"),
    ],
    "es": [
        ("chat", None, "¡Hola! Soy <<given>>, te paso mi nuevo móvil: <<phone_mobile>>"),
        ("chat", None, "<<given>> <<surname>> aquí 😊 ¿me mandas la factura a <<email>>?"),
        ("chat", None, "Ya estamos en el piso nuevo: <<address>>. ¡Venid a cenar el sábado!"),
        ("chat", None, "Mira mi portfolio 👉 <<url>>"),
        ("ticket", None, "Incidencia <<v_order>>: cuenta de <<given>> <<surname>>, cargo duplicado de "
                         "<<v_price>> en la tarjeta <<card>>. Teléfono de contacto: <<phone>>. Agente: <<given2>>"),
        ("ticket", None, "Asunto: No puedo acceder\nBuenas, me llamo <<given>> <<surname>> <<surname_b>> y desde "
                         "el <<v_date>> no puedo entrar en mi cuenta. El último acceso fue desde la IP <<ip>>. "
                         "Mi DNI es <<natid>>."),
        ("email", None, "Hola <<given2>>:\n\nte adjunto el justificante de la transferencia a la cuenta <<iban>>."
                        "\n\nUn saludo,\n<<given>> <<surname>>\nDepartamento de Compras\nTel. <<phone_intl>>\n"
                        "<<email>>"),
        ("log", None, "<<v_time>> ERROR pago.rechazado tarjeta=<<card>> importe=<<v_price>> ip=<<ip6>>"),
        ("json", None, '{"cliente": {"nombre": "<<given>>", "apellidos": "<<surname>> <<surname_b>>", "email": '
                       '"<<email>>", "telefono": "<<phone>>"}, "pedido": "<<v_order>>"}'),
        ("form", None, "Nombre: <<given>>\nApellidos: <<surname>> <<surname_b>>\nDNI/NIE: <<natid>>\n"
                       "Dirección: <<address>>\nTeléfono: <<phone>>\nIBAN: <<iban>>"),
    ],
    "fr": [
        ("chat", None, "Coucou, c'est <<given>> ! Mon nouveau numéro : <<phone_mobile>>"),
        ("chat", None, "<<given>> <<surname>> ici 👋 tu peux m'envoyer le devis à <<email>> ?"),
        ("chat", None, "On a déménagé ! Nouvelle adresse : <<address>>. Passez quand vous voulez 🎉"),
        ("chat", None, "Pour me joindre : 📱 <<phone_mobile>> / ✉️ <<email>>"),
        ("ticket", None, "Ticket <<v_order>> : compte de <<given>> <<surname>>, double prélèvement de "
                         "<<v_price>>. Merci de rembourser sur l'IBAN <<iban>>. Pris en charge par <<given2>> "
                         "<<surname2>>."),
        ("ticket", None, "Objet : compte bloqué\nBonjour, je suis <<given>> <<surname>>. Depuis le <<v_date>>, "
                         "impossible de me connecter (adresse IP <<ip>>). Vous pouvez me joindre au <<phone>>."),
        ("email", None, "Bonjour <<given2>>,\n\nveuillez trouver ci-joint la facture <<v_order>>.\n\n"
                        "Cordialement,\n<<given>> <<surname>>\nResponsable achats\nTél. : <<phone_intl>>\n"
                        "Courriel : <<email>>\n<<url>>"),
        ("log", None, "<<v_time>> WARN paiement.refuse carte=<<card>> montant=<<v_price>> ip=<<ip_any>>"),
        ("json", None, '{"client": {"prenom": "<<given>>", "nom": "<<surname>>", "adresse": "<<bno>> '
                       '<<street>>", "code_postal": "<<zip>>", "ville": "<<city>>"}, "nir": "<<natid>>"}'),
        ("form", None, "Nom : <<surname>>\nPrénom : <<given>>\nTéléphone : <<phone>>\nE-mail : <<email>>\n"
                       "Adresse : <<address>>\nN° de sécurité sociale : <<natid>>"),
    ],
    "it": [
        ("chat", None, "Ciao, sono <<given>>! Il mio nuovo numero è <<phone_mobile>>"),
        ("chat", None, "<<given>> <<surname>> qui 😊 mi mandi il contratto a <<email>>?"),
        ("chat", None, "Ci siamo trasferiti, il nuovo indirizzo è <<address>>. Passate a trovarci!"),
        ("ticket", None, "Ticket <<v_order>>: cliente <<given>> <<surname>>, doppio addebito di "
                         "<<v_price>> sulla carta <<card>>. Richiamare al <<phone>>. Operatore: <<given2>>"),
        ("ticket", None, "Oggetto: accesso bloccato\nBuongiorno, sono <<given>> <<surname>>. Dal <<v_date>> non "
                         "riesco ad accedere; l'ultimo accesso risulta dall'IP <<ip>>. Codice fiscale: <<natid>>"),
        ("email", None, "Gentile <<given2>> <<surname2>>,\n\nle confermo il bonifico sul conto <<iban>>.\n\n"
                        "Cordiali saluti,\n<<given>> <<surname>>\nUfficio acquisti\nTel. <<phone_intl>>\n"
                        "<<email>>\n<<url>>"),
        ("log", None, "<<v_time>> ERROR pagamento.rifiutato carta=<<card>> importo=<<v_price>> ip=<<ip6>>"),
        ("json", None, '{"cliente": {"nome": "<<given>>", "cognome": "<<surname>>", "codice_fiscale": '
                       '"<<natid>>", "email": "<<email>>"}, "ordine": "<<v_order>>"}'),
        ("form", None, "Nome: <<given>>\nCognome: <<surname>>\nIndirizzo: <<address>>\nTelefono: <<phone>>\n"
                       "IBAN: <<iban>>"),
        ("chat", None, "📞 <<phone_intl>> è il numero di <<given>>, richiamare dopo le 18"),
    ],
    "pt": [
        ("chat", None, "Olá, aqui é <<given>>! O meu novo número é <<phone_mobile>>"),
        ("chat", None, "<<given>> <<surname>> aqui 👋 podes enviar o contrato para <<email>>?"),
        ("chat", "PT", "Mudámos de casa! Nova morada: <<address>>. Apareçam 🎉"),
        ("chat", "BR", "Mudamos! Novo endereço: <<address>>. Vem tomar um café com a gente"),
        ("ticket", "BR", "Chamado <<v_order>>: cliente <<given>> <<surname>> <<surname_b>> relata cobrança "
                         "duplicada de <<v_price>> no cartão <<card>>. Contato: <<phone>>. Atendente: <<given2>>"),
        ("ticket", "PT", "Assunto: conta bloqueada\nBom dia, chamo-me <<given>> <<surname>>. Desde <<v_date>> não "
                         "consigo entrar na conta (IP <<ip>>). NIF: <<natid>>."),
        ("email", "PT", "Olá <<given2>>,\n\nsegue em anexo o comprovativo da transferência para o IBAN <<iban>>."
                        "\n\nCumprimentos,\n<<given>> <<surname>>\nDepartamento Financeiro\nTel.: <<phone_intl>>\n"
                        "<<email>>\n<<url>>"),
        ("log", None, "<<v_time>> WARN pagamento.recusado cartao=<<card>> valor=<<v_price>> ip=<<ip_any>>"),
        ("json", "BR", '{"cliente": {"nome": "<<given>>", "sobrenome": "<<surname>>", "cpf": "<<natid>>", '
                       '"telefone": "<<phone>>", "cep": "<<zip>>"}}'),
        ("form", "PT", "Nome: <<given>> <<surname>>\nMorada: <<address>>\nTelefone: <<phone>>\nE-mail: "
                       "<<email>>\nIBAN: <<iban>>"),
    ],
    "nl": [
        ("chat", None, "Hoi, met <<given>>! Mijn nieuwe nummer is <<phone_mobile>>"),
        ("chat", None, "<<given>> <<surname>> hier 👋 kun je de offerte naar <<email>> sturen?"),
        ("chat", None, "We zijn verhuisd! Nieuw adres: <<address>>. Kom gerust langs 🎉"),
        ("ticket", None, "Ticket <<v_order>>: klant <<given>> <<surname>> meldt een dubbele afschrijving van "
                         "<<v_price>>. Terugstorten op <<iban>>. Behandelaar: <<given2>> <<surname2>>"),
        ("ticket", None, "Onderwerp: account geblokkeerd\nHallo, ik ben <<given>> <<surname>>. Sinds <<v_date>> "
                         "kan ik niet meer inloggen (IP-adres <<ip>>). Bel me terug op <<phone>>."),
        ("email", None, "Beste <<given2>>,\n\nin de bijlage vind je factuur <<v_order>>.\n\nMet vriendelijke "
                        "groet,\n<<given>> <<surname>>\nInkoop\nT <<phone_intl>>\nE <<email>>\n<<url>>"),
        ("log", None, "<<v_time>> ERROR betaling.geweigerd kaart=<<card>> bedrag=<<v_price>> ip=<<ip6>> "
                      "versie=<<v_version>>"),
        ("json", None, '{"klant": {"voornaam": "<<given>>", "achternaam": "<<surname>>", "straat": "<<street>>", '
                       '"huisnummer": "<<bno>>", "postcode": "<<zip>>", "plaats": "<<city>>"}, "bsn": "<<natid>>"}'),
        ("form", None, "Naam: <<given>> <<surname>>\nTelefoon: <<phone>>\nE-mail: <<email>>\nAdres: <<address>>\n"
                       "IBAN: <<iban>>\nBSN: <<natid>>"),
        ("chat", None, "Mijn collega in Parijs is bereikbaar op <<phone_foreign>>, vraag naar <<given2>>"),
    ],
}

# Messages without any PII (some with tricky negatives), written by hand; each is used once.
NO_PII = {
    "en": [
        ("chat", "Reminder: the quarterly all-hands moves to Thursday 3pm, room 4.12. Slides are in the shared drive."),
        ("chat", "Build <<v_version>> is out. Changelog: faster startup, fewer allocations."),
        ("email", "Your order <<v_order>> has shipped. Tracking: <<v_tracking>>. Expected delivery <<v_date>>."),
        ("log", "Test card <<v_cardlike>> was rejected as expected (bad checksum)."),
        ("chat", "Price drop! Noise-cancelling headphones now <<v_price>> (was $349.00)."),
        ("log", "<<v_time>> INFO scheduler job=nightly-reindex duration_ms=48213 status=ok"),
        ("ticket", "Can someone review PR 1482 before Friday? It only touches the retry logic."),
        ("json", '{"sku": "HX-2210-B", "qty": 3, "unit_price": "<<v_price>>", "release": "<<v_version>>"}'),
        ("form", "Example account format: <<v_ibanlike>> (not a real account)."),
    ],
    "de": [
        ("chat", "Die Teamsitzung wird auf Donnerstag, 15 Uhr verschoben. Raum 2.14."),
        ("chat", "Version <<v_version>> ist ausgerollt, bitte Cache leeren."),
        ("email", "Ihre Bestellung <<v_order>> wurde versandt. Voraussichtliche Zustellung: <<v_date>>. "
                  "Gesamtbetrag <<v_price>>."),
        ("log", "Die Testkarte <<v_cardlike>> wurde korrekt abgelehnt (Prüfziffer falsch)."),
        ("log", "<<v_time>> INFO cron job=backup dauer_ms=91234 status=ok"),
        ("ticket", "Kann jemand bis Freitag den Pull-Request 2291 prüfen? Nur kleine Änderungen an der "
                   "Wiederholungslogik."),
    ],
    "es": [
        ("chat", "La reunión de equipo pasa al jueves a las 16:00, sala 3.2."),
        ("chat", "Ya está desplegada la versión <<v_version>>; si veis errores, limpiad la caché."),
        ("email", "Su pedido <<v_order>> ha sido enviado. Entrega prevista: <<v_date>>. Importe total: <<v_price>>."),
        ("log", "La tarjeta de prueba <<v_cardlike>> se rechazó correctamente (dígito de control erróneo)."),
        ("log", "<<v_time>> INFO tarea=copia_seguridad duracion_ms=51234 estado=ok"),
        ("form", "Formato de ejemplo: <<v_ibanlike>> (no es una cuenta real)."),
    ],
    "fr": [
        ("chat", "La réunion d'équipe est décalée à jeudi 15 h, salle 4.08."),
        ("chat", "La version <<v_version>> est en production, pensez à vider le cache."),
        ("email", "Votre commande <<v_order>> a été expédiée. Livraison prévue le <<v_date>>. Montant : <<v_price>>."),
        ("log", "La carte de test <<v_cardlike>> a bien été refusée (clé de contrôle invalide)."),
        ("log", "<<v_time>> INFO tache=sauvegarde duree_ms=77120 statut=ok"),
        ("ticket", "Quelqu'un peut relire la PR 3310 avant vendredi ? Elle ne touche que la logique de reprise."),
    ],
    "it": [
        ("chat", "La riunione di team è spostata a giovedì alle 15, sala 2.03."),
        ("chat", "È uscita la versione <<v_version>>, svuotate la cache."),
        ("email", "Il suo ordine <<v_order>> è stato spedito. Consegna prevista: <<v_date>>. Totale: <<v_price>>."),
        ("log", "La carta di test <<v_cardlike>> è stata rifiutata correttamente (cifra di controllo errata)."),
        ("log", "<<v_time>> INFO job=backup durata_ms=64021 stato=ok"),
        ("form", "Esempio di formato: <<v_ibanlike>> (non è un conto reale)."),
    ],
    "pt": [
        ("chat", "A reunião de equipa passa para quinta-feira às 15h, sala 1.07."),
        ("chat", "A versão <<v_version>> já está em produção; limpem a cache."),
        ("email", "Seu pedido <<v_order>> foi enviado. Previsão de entrega: <<v_date>>. Total: <<v_price>>."),
        ("log", "O cartão de teste <<v_cardlike>> foi recusado corretamente (dígito verificador inválido)."),
        ("log", "<<v_time>> INFO tarefa=backup duracao_ms=38811 estado=ok"),
        ("ticket", "Alguém pode rever o PR 4120 até sexta? Só mexe na lógica de novas tentativas."),
    ],
    "nl": [
        ("chat", "Het teamoverleg is verplaatst naar donderdag 15.00 uur, zaal 3.11."),
        ("chat", "Versie <<v_version>> staat live, leeg even je cache."),
        ("email", "Je bestelling <<v_order>> is verzonden. Verwachte bezorging: <<v_date>>. Totaal: <<v_price>>."),
        ("log", "De testkaart <<v_cardlike>> is terecht geweigerd (controlecijfer klopt niet)."),
        ("log", "<<v_time>> INFO taak=backup duur_ms=55102 status=ok"),
        ("form", "Voorbeeldformaat: <<v_ibanlike>> (geen echte rekening)."),
    ],
}

# ---------------------------------------------------------------------------------------------------------
# Filling a template


def person(rng, country):
    culture = CULTURE[country] if rng.random() < 0.8 else "other"
    p = {"given": rng.choice(GIVEN[culture]), "surname": rng.choice(SURNAME[culture])}
    p["surname_b"] = rng.choice([s for s in SURNAME[CULTURE[country]] if s != p["surname"]])
    p["email"] = email(rng, p, country)
    return p


def building_number(rng, country):
    n = rng.randint(1, 180)
    r = rng.random()
    if country in ("DE", "NL") and r < 0.2:
        return f"{n}{rng.choice('abc')}"
    if country == "FR" and r < 0.15:
        return f"{n} bis"
    if country == "GB" and r < 0.1:
        return f"{n}B"
    return str(n)


class Message:
    def __init__(self, rng, lang, country):
        self.rng, self.lang, self.country = rng, lang, country
        self.p1, self.p2 = person(rng, country), person(rng, country)
        city = rng.choice(CITIES[country])
        self.addr = {"street": rng.choice(STREETS[country]), "bno": building_number(rng, country),
                     "zip": city[0], "city": city[1], "state": city[2] if len(city) > 2 else None}
        self.text, self.spans, self.decoys = [], [], []
        self.pos = 0

    def lit(self, s):
        self.text.append(s)
        self.pos += len(s)

    def span(self, typ, value):
        self.spans.append({"type": typ, "start": self.pos, "end": self.pos + len(value), "value": value})
        self.lit(value)

    def decoy(self, kind, value):
        self.decoys.append({"kind": kind, "start": self.pos, "end": self.pos + len(value), "value": value})
        self.lit(value)

    def address(self):
        a, c = self.addr, self.country
        parts = {
            "US": [("BUILDING_NUMBER", "bno"), " ", ("STREET_NAME", "street"), ", ", ("CITY", "city"), ", ",
                   ("STATE", "state"), " ", ("ZIP_CODE", "zip")],
            "GB": [("BUILDING_NUMBER", "bno"), " ", ("STREET_NAME", "street"), ", ", ("CITY", "city"), " ",
                   ("ZIP_CODE", "zip")],
            "FR": [("BUILDING_NUMBER", "bno"), " ", ("STREET_NAME", "street"), ", ", ("ZIP_CODE", "zip"), " ",
                   ("CITY", "city")],
            "BR": [("STREET_NAME", "street"), ", ", ("BUILDING_NUMBER", "bno"), " - ", ("CITY", "city"), " - ",
                   ("STATE", "state"), ", ", ("ZIP_CODE", "zip")],
            "IT": [("STREET_NAME", "street"), ", ", ("BUILDING_NUMBER", "bno"), ", ", ("ZIP_CODE", "zip"), " ",
                   ("CITY", "city")],
        }.get(c, [("STREET_NAME", "street"), " ", ("BUILDING_NUMBER", "bno"), ", ", ("ZIP_CODE", "zip"), " ",
                  ("CITY", "city")])
        for part in parts:
            if isinstance(part, str):
                self.lit(part)
            else:
                self.span(part[0], a[part[1]])

    def fill(self, name):
        rng, c = self.rng, self.country
        if name in ("given", "surname", "surname_b"):
            self.span("SURNAME" if name.startswith("surname") else "GIVEN_NAME", self.p1[name])
        elif name in ("given2", "surname2"):
            self.span("SURNAME" if name == "surname2" else "GIVEN_NAME", self.p2[name[:-1]])
        elif name == "email":
            self.span("EMAIL", self.p1["email"])
        elif name == "phone":
            self.span("PHONE", phone_number(rng, c, rng.choice(["fixed", "mobile"]))[0])
        elif name == "phone_mobile":
            self.span("PHONE", phone_number(rng, c, "mobile")[0])
        elif name == "phone_intl":
            self.span("PHONE", phone_number(rng, c, rng.choice(["fixed", "mobile"]))[1])
        elif name == "phone_foreign":
            other = {"US": "ES", "DE": "ES", "NL": "FR"}.get(c) or rng.choice([x for x in CC if x != c])
            self.span("PHONE", phone_number(rng, other, rng.choice(["fixed", "mobile"]))[1])
        elif name in ("street", "bno", "zip", "city", "state"):
            typ = {"street": "STREET_NAME", "bno": "BUILDING_NUMBER", "zip": "ZIP_CODE", "city": "CITY",
                   "state": "STATE"}[name]
            self.span(typ, self.addr[name])
        elif name == "address":
            self.address()
        elif name == "iban":
            self.span("IBAN", iban(rng, c))
        elif name == "card":
            self.span("CREDIT_CARD", credit_card(rng))
        elif name == "ip":
            self.span("IP_ADDRESS", ipv4(rng))
        elif name == "ip6":
            self.span("IP_ADDRESS", ipv6(rng))
        elif name == "ip_any":
            self.span("IP_ADDRESS", ipv4(rng) if rng.random() < 0.5 else ipv6(rng))
        elif name == "url":
            self.span("URL", url(rng, self.p1, c))
        elif name == "natid":
            self.span(*national_id(rng, c, self.p1))
        elif name == "ssn":
            self.span("GOVERNMENT_ID", ssn(rng))
        elif name == "ein":
            self.span("TAX_ID", ein(rng))
        elif name == "v_version":
            self.decoy("VERSION", v_version(rng))
        elif name == "v_order":
            self.decoy("ORDER_NUMBER", v_order(rng))
        elif name == "v_date":
            self.decoy("DATE", v_date(rng, self.lang))
        elif name == "v_time":
            self.decoy("TIMESTAMP", v_time(rng))
        elif name == "v_price":
            self.decoy("PRICE", v_price(rng, self.lang))
        elif name == "v_tracking":
            self.decoy("TRACKING_NUMBER", v_tracking(rng))
        elif name == "v_cardlike":
            self.decoy("CARD_LIKE", card_like(rng))
        elif name == "v_ibanlike":
            self.decoy("IBAN_LIKE", iban_like(rng))
        else:
            raise KeyError(name)

    def render(self, template):
        for i, piece in enumerate(re.split(r"<<(\w+)>>", template)):
            if i % 2 == 0:
                self.lit(piece)
            else:
                self.fill(piece)
        return "".join(self.text)


def generate(seed=SEED):
    rng = random.Random(seed)
    messages = []
    for lang, templates in TEMPLATES.items():
        for i in range(PII_MESSAGES[lang]):
            fmt, country, template = templates[i % len(templates)]
            country = country or rng.choice(LANG_COUNTRIES[lang])
            m = Message(rng, lang, country)
            text = m.render(template)
            messages.append({"lang": lang, "format": fmt, "text": text, "spans": m.spans, "decoys": m.decoys})
        for fmt, template in NO_PII[lang]:
            m = Message(rng, lang, LANG_COUNTRIES[lang][0])
            text = m.render(template)
            assert not m.spans, template
            messages.append({"lang": lang, "format": fmt, "text": text, "spans": [], "decoys": m.decoys})
    rng.shuffle(messages)
    return [{"id": f"pii-{i:04d}", **m} for i, m in enumerate(messages, 1)]


def write(messages, out):
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for m in messages:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write (default: %(default)s)")
    args = ap.parse_args(argv)
    messages = generate()
    write(messages, args.out)
    spans = sum(len(m["spans"]) for m in messages)
    print(f"{len(messages)} messages, {spans} planted spans -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
