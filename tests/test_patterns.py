"""Every pattern of every language does what its examples say; a malformed pattern is refused by name."""

import pytest

from dyad.errors import KnowledgeBaseError
from dyad.lexicon import available_languages, load_lexicon
from dyad.nlp import read_sentences
from dyad.patterns import Example, compile_patterns
from dyad.trigger import Trigger, find_triggers


def _cases():
    for lang in available_languages():
        patterns = load_lexicon(lang).patterns
        for pattern in patterns.meeting_patterns:
            for n, example in enumerate(pattern.examples):
                yield pytest.param(lang, "meeting", pattern.name, example, id=f"{lang}-{pattern.name}-{n}")
        for cue in patterns.status.cues:
            for n, example in enumerate(cue.examples):
                yield pytest.param(lang, "status", cue.name, example, id=f"{lang}-{cue.name}-{n}")
        for frame in patterns.frames.cues:
            for n, example in enumerate(frame.examples):
                yield pytest.param(lang, "frame", frame.name, example, id=f"{lang}-{frame.name}-{n}")


CASES = list(_cases())


def _sentence(example: Example, lang: str):
    lex = load_lexicon(lang)
    text = example.plain()
    [sent] = read_sentences(text, lex)
    return lex, sent


def _token_at(sent, start: int, end: int) -> tuple[int, int]:
    """The first token of a marked span and how many tokens it covers."""
    inside = [k for k, t in enumerate(sent.tokens) if start <= t.start and t.end <= end]
    assert inside, "the mark covers no whole token"
    return inside[0], len(inside)


@pytest.mark.parametrize("lang, section, name, example", CASES)
def test_pattern_example(lang, section, name, example):
    lex, sent = _sentence(example, lang)
    triggers = find_triggers(sent, lex)
    if section == "meeting":
        kind = next(p.yields for p in lex.patterns.meeting_patterns if p.name == name)
        token, size = _token_at(sent, *example.marked())
        found = Trigger(token, size, kind) in triggers
        assert found == example.matches, f"{example.text!r}: meeting words {triggers}"
        return
    token, _ = _token_at(sent, *example.marked(brace=True))
    trigger = next((t for t in triggers if t.token == token), None)
    assert trigger is not None, f"{example.text!r}: the marked meeting word is none ({triggers})"
    words = [t.text for t in sent.tokens]
    cues = lex.patterns.frames if section == "frame" else lex.patterns.status
    hits = cues.where(name, sent, words, trigger.token, trigger.size)
    if example.matches:
        cue, _ = _token_at(sent, *example.marked())
        assert cue in hits, f"{example.text!r}: {name} matches at {hits}, not at token {cue}"
    else:
        assert hits == [], f"{example.text!r}: {name} matches at {hits}"


def test_every_language_has_a_pattern_for_every_meeting_kind_and_examples_for_both_verdicts():
    for lang in available_languages():
        patterns = load_lexicon(lang).patterns
        assert {p.yields for p in patterns.meeting_patterns} == {
            "meet", "talks", "visit", "host", "call", "video", "summit", "join"}
    assert any(not c.values[3].matches for c in CASES) and any(c.values[3].matches for c in CASES)


GOOD_CUE = """\
  - name: planned
    yields: planned
    phrases: [will]
    examples: ["They [will] {meet}."]
"""
MEETING = """\
meeting_words:
  - name: meet-words
    yields: meet
    lemmas: [meet]
    examples: ["They [met]."]
status_cues:
"""


@pytest.mark.parametrize("cue, message", [
    ("  - name: soon\n    yields: soonish\n    phrases: [soon]\n    examples: ['[soon] {meet}']\n",
     r"line 11, pattern 'soon': yields 'soonish', not a status cue"),
    ("  - name: soon\n    yields: planned\n    phrases: [soon]\n",
     r"line 11, pattern 'soon': no examples"),
    ("  - name: soon\n    yields: planned\n    phrases: [soon]\n    examples: ['They meet soon.']\n",
     r"pattern 'soon': example without a \[marked\] word"),
    ("  - name: soon\n    yields: planned\n    phrases: [soon]\n    scope: {side: behind}\n"
     "    examples: ['[soon] {meet}']\n", r"pattern 'soon': scope side is any/before/through/after"),
    ("  - name: soon\n    yields: planned\n    phrases: [soon, no]\n    examples: ['[soon] {meet}']\n",
     r"pattern 'soon': 'phrases': False is not a word; quote it"),
    ("  - name: soon\n    yields: planned\n    phrase: [soon]\n    examples: ['[soon] {meet}']\n",
     r"pattern 'soon': unknown field 'phrase'"),
    ("  - name: soon\n    yields: planned\n    phrases: [soon]\n    unless: {pattern: later, at: [0, 0]}\n"
     "    examples: ['[soon] {meet}']\n", r"pattern 'soon': unless names no status cue 'later'"),
    ("  - name: planned\n    yields: planned\n    phrases: [soon]\n    examples: ['[soon] {meet}']\n",
     r"pattern name 'planned' used twice"),
], ids=["yields", "examples", "mark", "scope", "boolean", "field", "unless", "twice"])
def test_a_malformed_pattern_is_refused_naming_file_and_pattern(cue, message):
    text = MEETING + GOOD_CUE + cue
    with pytest.raises(KnowledgeBaseError, match=r"^xx/patterns\.yaml.*" + message):
        compile_patterns(text, "en", frozenset({","}), "xx/patterns.yaml")


def test_a_lemma_of_two_kinds_is_refused():
    text = MEETING.replace("status_cues:\n", """\
  - name: talk-words
    yields: talks
    lemmas: [meet]
    examples: ["They [met]."]
status_cues:
""") + GOOD_CUE
    with pytest.raises(KnowledgeBaseError, match=r"line 6, pattern 'talk-words': lemma 'meet' is already a meeting "
                                                 r"word of kind 'meet'"):
        compile_patterns(text, "en", frozenset(), "xx/patterns.yaml")


def test_the_well_formed_patterns_compile():
    patterns = compile_patterns(MEETING + GOOD_CUE, "en", frozenset(), "xx/patterns.yaml")
    assert [c.name for c in patterns.status.cues] == ["planned"]
    assert patterns.status.starts(["They", "will", "meet", "."])[0] == (1,)


@pytest.mark.parametrize("lang, words, k, found", [
    ("de", ["Die", "Besuche", "enden"], 1, (1, ["visit"])),  # an inflection through its lemma
    ("de", ["Er", "war", "zu", "Gast"], 2, (2, ["visit"])),  # a phrase
    ("de", ["Die", "Gäste", "gehen"], 1, None),
    ("en", ["She", "Hosted", "them"], 1, (1, ["host"])),
])
def test_other_stages_ask_whether_a_word_is_a_meeting_word(lang, words, k, found):
    assert load_lexicon(lang).triggers.match_at(words, k) == found


def test_a_frame_yields_a_frame_kind_and_is_read_apart_from_the_status_cues():
    frame = "frames:\n  - name: amid\n    yields: planned\n    phrases: [amid]\n    examples: ['{talks} [amid]']\n"
    with pytest.raises(KnowledgeBaseError, match=r"line 12, pattern 'amid': yields 'planned', not a frame"):
        compile_patterns(MEETING + GOOD_CUE + frame, "en", frozenset(), "xx/patterns.yaml")
    good = frame.replace("yields: planned", "yields: between")
    patterns = compile_patterns(MEETING + GOOD_CUE + good, "en", frozenset(), "xx/patterns.yaml")
    assert [c.name for c in patterns.frames.cues] == ["amid"]
    assert [c.name for c in patterns.status.cues] == ["planned"]


@pytest.mark.parametrize("lang, text", [
    ("en", "The regent met with the king, who had travelled with the envoy."),
    ("de", "Der Regent traf sich mit dem König, der mit dem Gesandten gereist war."),
])
def test_a_frame_is_found_wherever_it_stands_or_only_in_its_scope(lang, text):
    lex = load_lexicon(lang)
    [sent] = read_sentences(text, lex)
    words = [t.text for t in sent.tokens]
    withs = sorted(k for k, w in enumerate(words) if w.lower() in ("with", "mit"))
    met = find_triggers(sent, lex)[0]
    assert sorted(lex.patterns.frames.anywhere("with", words)) == withs
    assert lex.patterns.frames.where("with", sent, words, met.token, met.size) == withs[:1]


@pytest.mark.parametrize("lang, text, found", [
    ("en", "The regent welcomed the heads of state and government and the delegates to Annuminas.",
     [(4, 9), (11, 12)]),
    ("de", "Der Regent begrüßte die Staats- und Regierungschefs und die Teilnehmer in Annuminas.",
     [(4, 8), (10, 11)]),
])
def test_a_frame_of_several_tokens_is_read_whole_where_it_stands(lang, text, found):
    lex = load_lexicon(lang)
    [sent] = read_sentences(text, lex)
    words = [t.text for t in sent.tokens]
    spans = lex.patterns.frames.spans("gathering", words)
    assert spans == found, [words[a:b] for a, b in spans]


def test_the_longest_match_reads_on_through_a_sequence():
    frame = """frames:
  - name: gathering
    yields: gathering
    sequence:
      - lower: [heads]
      - {lower: [of], gap: 1}
      - {lower: [state, government]}
      - {phrases: ["and government"], optional: true}
    examples: ['They {met} the [heads] of state.']
"""
    patterns = compile_patterns(MEETING + GOOD_CUE + frame, "en", frozenset(), "xx/patterns.yaml")
    words = "The heads of state and government and the heads of government met .".split()
    assert patterns.frames.spans("gathering", words) == [(1, 6), (8, 11)]
