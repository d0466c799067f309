import pytest

from dyad.nlp import split_sentences, token_texts, tokenize


@pytest.mark.parametrize("text, tokens", [
    ("US-Außenminister", ("US", "-", "Außenminister")),
    ("Estonia's envoy", ("Estonia", "'s", "envoy")),
    ("the U.S. side", ("the", "U.S.", "side")),
    ("am 19.09.2023 in Xi'an", ("am", "19.09.2023", "in", "Xi'an")),
])
def test_tokens(text, tokens):
    assert token_texts(text) == tokens


def test_sentences_keep_ordinals_and_abbreviations_together():
    text = "Am 19. September traf er Dr. Gandalf. Danach reiste er ab.\nTitel ohne Punkt"
    sents = split_sentences(text, ["Dr"])
    assert [text[s.start:s.end] for s in sents] == [
        "Am 19. September traf er Dr. Gandalf.", "Danach reiste er ab.", "Titel ohne Punkt"]


def test_sentence_offsets_point_into_text():
    text = "One sentence here. \n\n  Another one?  Yes!"
    for sent in split_sentences(text):
        for tok in sent.tokens:
            assert text[tok.start:tok.end] == tok.text


def test_a_quote_after_the_full_stop_closes_it_and_after_a_space_opens_the_next():
    text = 'Er sagte: "Wir sind bereit." Dann ging er. "Das war gut", sagte sie.'
    assert [text[s.start:s.end] for s in split_sentences(text)] == [
        'Er sagte: "Wir sind bereit."', "Dann ging er.", '"Das war gut", sagte sie.']


def test_the_items_of_a_ticker_on_one_line_are_sentences_of_their_own():
    text = "Regent meets king in Edoras  • Rohan sends riders  • Summit of the League opens on Sept. 5"
    sentences = split_sentences(text, ["Sept"])
    assert [text[s.start:s.end] for s in sentences] == [
        "Regent meets king in Edoras", "Rohan sends riders", "Summit of the League opens on Sept. 5"]


def test_phrase_keys_normalise_typographic_quotes_and_dashes_as_clean_text_does():
    assert token_texts("Nuku‘alofa") == token_texts("Nuku'alofa") == ("Nuku'alofa",)
    assert token_texts("Guinea–Bissau") == token_texts("Guinea-Bissau")


def test_a_full_stop_after_a_small_number_ends_an_english_sentence_but_not_a_german_ordinal():
    english = "They met after the attack of Oct. 7. The two leaders then spoke."
    assert len(split_sentences(english, ["Oct"], ordinal_dots=False)) == 2
    german = "Sie trafen sich am 7. Oktober in Berlin."
    assert len(split_sentences(german, [], ordinal_dots=True)) == 1


def test_a_run_of_text_without_a_full_stop_is_cut_into_bounded_pieces():
    from dyad.nlp import MAX_SENTENCE_TOKENS

    text = "Vorn traf Ithil in Edoras, und " * 200
    sentences = split_sentences(text)
    assert len(sentences) > 1 and all(len(s.tokens) <= MAX_SENTENCE_TOKENS for s in sentences)
    assert [t for s in sentences for t in s.tokens] == tokenize(text)  # nothing lost, offsets unchanged
    assert all(s.tokens[-1].text == "," for s in sentences[:-1])  # cut after a comma where there is one


@pytest.mark.parametrize("text, lang, first", [
    ("President Elendil W. Vorn met King Theoden Marke. They spoke.", "en", "Marke."),
    ("President Kh.Vorn met Ts.Marke on Monday. They spoke.", "en", "Monday."),  # initials glued to the name
    ("President Vorn met King Marke on Monday.They spoke.", "en", "Monday."),  # a word glued to the next sentence
    ("President Vorn met King Marke in the US.They spoke.", "en", "US."),  # an acronym is no initial
    ("The Rt. Hon. Elendil Vorn met the King. They spoke.", "en", "King."),
    ("Präsident Elendil W. Vorn traf König Theoden Marke. Sie sprachen.", "de", "Marke."),
])
def test_an_initial_or_an_honorific_ends_no_sentence(text, lang, first):
    from dyad.lexicon import load_lexicon

    lex = load_lexicon(lang)
    sents = split_sentences(text, lex.abbreviations, lex.ordinal_dots)
    assert len(sents) == 2
    assert text[sents[0].start:sents[0].end].startswith(text[:6]) and text[:sents[0].end].endswith(first)


@pytest.mark.parametrize("lang, text, lemmas", [
    ("de", "Sie trafen sich zu Gesprächen", ["sie", "treffen", "sich", "zu", "Gespräch"]),
    ("en", "They met for talks", ["they", "meet", "for", "talk"]),
])
def test_tokens_carry_their_lemma_where_the_language_is_known(lang, text, lemmas):
    [sent] = split_sentences(text, language=lang)
    assert [t.lemma for t in sent.tokens] == lemmas
    [plain] = split_sentences(text)
    assert all(t.lemma == "" for t in plain.tokens)


def _clauses(text: str, lang: str) -> list[tuple[str, str, str]]:
    """(kind, words, kind of the clause around it) of each clause of a one-sentence text."""
    from dyad.lexicon import load_lexicon
    from dyad.nlp import read_sentences

    [sent] = read_sentences(text, load_lexicon(lang))
    return [(c.kind, text[sent.tokens[c.start].start:sent.tokens[c.end - 1].end],
             sent.clauses[c.parent].kind if c.parent >= 0 else "") for c in sent.clauses]


@pytest.mark.parametrize("lang, text, clauses", [
    ("de", "Mira Tolk traf Jarek Ulm, der aus Varn angereist war, in Oststadt.", [
        ("main", "Mira Tolk traf Jarek Ulm, der aus Varn angereist war, in Oststadt.", ""),
        ("relative", "der aus Varn angereist war", "main")]),
    ("en", "Mira Tolk met Jarek Ulm, who had flown in from Varn, in Eastport.", [
        ("main", "Mira Tolk met Jarek Ulm, who had flown in from Varn, in Eastport.", ""),
        ("relative", "who had flown in from Varn", "main")]),
    ("de", "Mira Tolk trifft Jarek Ulm, der Varn regiert", [  # a headline: one comma, no full stop
        ("main", "Mira Tolk trifft Jarek Ulm, der Varn regiert", ""),
        ("relative", "der Varn regiert", "main")]),
    ("en", "Mira Tolk meets Jarek Ulm", [("main", "Mira Tolk meets Jarek Ulm", "")]),
    ("de", '"Wir werden bald gemeinsam verhandeln", sagte Mira Tolk.', [
        ("main", '"Wir werden bald gemeinsam verhandeln", sagte Mira Tolk.', ""),
        ("quote", '"Wir werden bald gemeinsam verhandeln"', "main")]),
    ("en", 'Jarek "the Elder" Ulm said: "We will meet again in Eastport soon."', [
        ("main", "Jarek \"the Elder\" Ulm said", ""),  # two quoted words are a nickname, no speech
        ("main", ': "We will meet again in Eastport soon."', ""),
        ("quote", '"We will meet again in Eastport soon."', "main")]),
    ("de", "Mira Tolk wird – so heißt es in Varn – Jarek Ulm treffen.", [
        ("main", "Mira Tolk wird – so heißt es in Varn – Jarek Ulm treffen.", ""),
        ("parenthesis", "– so heißt es in Varn –", "main")]),
    ("en", "Mira Tolk will – officials in Varn say – meet Jarek Ulm.", [
        ("main", "Mira Tolk will – officials in Varn say – meet Jarek Ulm.", ""),
        ("parenthesis", "– officials in Varn say –", "main")]),
    ("de", "Mira Tolk sagte, dass sie Jarek Ulm, der in Varn regiert, bald treffen werde.", [
        ("main", "Mira Tolk sagte, dass sie Jarek Ulm, der in Varn regiert, bald treffen werde.", ""),
        ("subordinate", "dass sie Jarek Ulm, der in Varn regiert, bald treffen werde", "main"),
        ("relative", "der in Varn regiert", "subordinate")]),
    ("de", "Nachdem Mira Tolk Jarek Ulm getroffen hatte, reiste sie nach Varn.", [
        ("main", "Nachdem Mira Tolk Jarek Ulm getroffen hatte, reiste sie nach Varn.", ""),
        ("subordinate", "Nachdem Mira Tolk Jarek Ulm getroffen hatte", "main")]),
    ("en", "Mira Tolk said that she would meet Jarek Ulm in Eastport.", [
        ("main", "Mira Tolk said that she would meet Jarek Ulm in Eastport.", ""),
        ("subordinate", "that she would meet Jarek Ulm in Eastport", "main")]),
    ("en", "Mira Tolk stayed in Varn because Jarek Ulm came, and that talk went well.", [
        ("main", "Mira Tolk stayed in Varn because Jarek Ulm came", ""),
        ("main", ", and that talk went well.", ""),  # "that" here is no conjunction
        ("subordinate", "because Jarek Ulm came", "main")]),
    ("de", "Mira Tolk traf Jarek Ulm in Oststadt, und ihre Minister sprachen in Varn.", [
        ("main", "Mira Tolk traf Jarek Ulm in Oststadt", ""),
        ("main", ", und ihre Minister sprachen in Varn.", "")]),
    ("en", "Mira Tolk met Jarek Ulm in Eastport; their ministers talked in Varn.", [
        ("main", "Mira Tolk met Jarek Ulm in Eastport", ""),
        ("main", "; their ministers talked in Varn.", "")]),
])
def test_clauses_of_a_sentence(lang, text, clauses):
    assert _clauses(text, lang) == clauses


def test_only_main_clauses_after_the_first_are_coordinated():
    from dyad.lexicon import load_lexicon
    from dyad.nlp import read_sentences

    text = "Mira Tolk traf Jarek Ulm, und die Minister, Ana Berg und Olaf Sund, reisten ab."
    [sent] = read_sentences(text, load_lexicon("de"))
    assert [(c.kind, c.coordinated, c.parent) for c in sent.clauses] == [
        ("main", False, -1), ("main", True, -1), ("apposition", False, 1)]


@pytest.mark.parametrize("lang, text, word, clause", [
    # outside an aside, a word's clause runs around it; inside, it is the aside's
    ("de", "Mira Tolk wird – so heißt es in Varn – Jarek Ulm treffen, sagte Ana Berg.", "treffen",
     "Mira Tolk wird Jarek Ulm treffen"),
    ("de", "Mira Tolk wird – so heißt es in Varn – Jarek Ulm treffen, sagte Ana Berg.", "heißt", "so heißt es in Varn"),
    # the commas around names in apposition end no clause; "while" does
    ("en", "The envoys, Mira Tolk and Jarek Ulm, met in Eastport while Ana Berg waited.", "met",
     "The envoys , Mira Tolk and Jarek Ulm , met in Eastport"),
])
def test_the_clause_around_a_word(lang, text, word, clause):
    from dyad.clauses import clause_around
    from dyad.lexicon import load_lexicon
    from dyad.nlp import read_sentences

    [sent] = read_sentences(text, load_lexicon(lang))
    k = next(i for i, t in enumerate(sent.tokens) if t.text == word)
    assert " ".join(sent.tokens[i].text for i in clause_around(sent, k, 1, 0, len(sent.tokens))) == clause
