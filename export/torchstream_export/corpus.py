"""Real texts the exporter verifies every trace on: short and long, several scripts, an empty one."""

VERIFY_TEXTS = [
    "Stocks rallied after the central bank held interest rates steady.",
    "The striker scored twice in the second half to win the derby.",
    "",
    "Café owners in São Paulo say the new tax rules are confusing.",
    "東京で新しい量子コンピューターが発表された。",
    "Great service, terrible food 🍕😡 — would not come back.",
    "Researchers at ETH Zürich released an open-source protein folding model that runs on a laptop, "
    "and early users report that it reproduces published structures within minutes while using a "
    "fraction of the memory of earlier tools; the team plans to publish the training data next year.",
    "OK",
    "Did Ms. O'Neill really sign with Real Madrid for €80m?!",
    "Die Regierung in Berlin kündigte neue Investitionen in Schienen und Brücken an.",
]

VERIFY_PAIRS = [
    ("A man is playing a guitar on stage.", "Someone performs music in front of an audience."),
    ("The cat sleeps on the sofa.", "Markets fell sharply on Monday."),
    ("Who was Jim Henson?", "Jim Henson was a puppeteer."),
    ("", "An empty first segment."),
    ("¿Dónde está la estación?", "The station is two blocks north, past the café."),
    ("日本の首都はどこですか", "東京です"),
    ("Short.", "A much longer second segment that keeps going with more and more words so that the "
     "pair has to be truncated when it is encoded at a short traced sequence length."),
    ("Is it raining? ☔", "Yes, bring an umbrella."),
]

# The shared parity corpus: the Java runtime must reproduce transformers' outputs on every one of these.
PARITY_TEXTS = [
    "I loved this film, the acting was superb.",
    "Terrible. Just terrible.",
    "",
    "   ",
    "Angela Merkel met Emmanuel Macron in Paris on Tuesday.",
    "Apple Inc. opened a new office in São Paulo, Brazil.",
    "Zoë and José visited the Musée d'Orsay with Dr. Ana-María López.",
    "北京大学的研究人员发布了一个新模型。",
    "東京タワーは東京都港区にある。",
    "서울은 한국의 수도입니다.",
    "New York City 🗽 is great!!! 😀👍🏽",
    "Check https://example.com/path?q=1&x=2 or email team@example.org.",
    "The U.S.A. won 3-2 (after extra-time) — wow...",
    "GPU-accelerated inference at 1,234.5 tokens/s; cost: $0.02/hour.",
    "Ünïcödé nórmalization: ﬁ ligature, ＦＵＬＬＷＩＤＴＨ letters, and e\u0301 combining marks.",
    "Barack Obama was born in Honolulu, Hawaii, and served as the 44th President of the United States "
    "from 2009 to 2017; before that he represented Illinois in the U.S. Senate, and after leaving "
    "office he founded the Obama Foundation in Chicago, which works on civic engagement worldwide.",
    "The quick brown fox jumps over the lazy dog. " * 6,
    "Microsoft and Google compete with Amazon Web Services in cloud computing across Europe and Asia.",
    "tab\tseparated\tvalues and\nnew lines",
    "a",
]

PARITY_PAIRS = [
    ("A man is playing a guitar.", "A person plays an instrument."),
    ("The weather is sunny today.", "It is raining heavily in London."),
    ("", "Only the second segment has words."),
    ("Only the first segment has words.", ""),
    ("Zoë lives in Zürich.", "Zoë wohnt in Zürich."),
    ("東京は日本の首都です。", "Tokyo is the capital of Japan."),
    ("Is this 🍕 good?", "Yes 😀"),
    ("Barack Obama served two terms as president of the United States, from 2009 to 2017.",
     "He was preceded by George W. Bush and succeeded by Donald Trump, who later served again."),
]
