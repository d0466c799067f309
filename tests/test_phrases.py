from hypothesis import given
from hypothesis import strategies as st

from dyad.kb.phrases import PhraseIndex

PHRASES = ["Arnor", "Arnor Rat", "Arnor Rat der Könige", "arnorische", "Gondor", "die Weiße Stadt", "Weiße"]


def _index(fold_case: bool = False) -> PhraseIndex[str]:
    index: PhraseIndex[str] = PhraseIndex(fold_case=fold_case)
    for phrase in PHRASES:
        index.add(phrase, phrase)
    index.add("Gondor", "state")  # a second value for the same phrase
    return index


def test_the_longest_phrase_wins_and_a_partial_one_falls_back():
    words = "Der Arnor Rat der Könige tagte , Arnor Rat der Elben nicht".split()
    index = _index()
    assert index.match_at(words, 1) == (4, ["Arnor Rat der Könige"])
    assert index.match_at(words, 7) == (2, ["Arnor Rat"])
    assert index.match_at(words, 0) is None
    assert index.match_at(["Gondor"], 0) == (1, ["Gondor", "state"])


def test_a_capital_stands_for_lower_case_only_where_no_phrase_begins_as_written():
    index = _index()
    assert index.match_at(["Arnorische", "Gesandte"], 0) == (1, ["arnorische"])
    assert index.match_at(["Die", "Weiße", "Stadt"], 0) == (3, ["die Weiße Stadt"])
    assert index.match_at(["die", "weiße", "Stadt"], 0) is None  # only the first token may differ in case


def test_a_capital_also_stands_for_lower_case_where_the_phrases_beginning_as_written_do_not_go_on():
    index: PhraseIndex[str] = PhraseIndex()
    index.add("Arnorische Union", "name")
    index.add("arnorische", "adjective")
    assert index.match_at(["Arnorische", "Union"], 0) == (2, ["name"])
    assert index.match_at(["Arnorische", "Gesandte"], 0) == (1, ["adjective"])
    assert index.scan(["Arnorische", "Gesandte"]) == [(1, ["adjective"]), None]


def test_folded_case_ignores_case_everywhere():
    index = _index(fold_case=True)
    assert index.match_at(["ARNOR", "rat"], 0) == (2, ["Arnor Rat"])


WORDS = st.lists(st.sampled_from(["Arnor", "arnor", "Rat", "der", "Könige", "Arnorische", "arnorische", "Die",
                                  "die", "Weiße", "weiße", "Stadt", "Gondor", ","]), max_size=12)


def _reference(index: PhraseIndex[str], words: list[str], i: int) -> tuple[int, list[str]] | None:
    """The definition: the longest listed phrase at ``i``; a capitalised first token may stand for its lower
    case only when no phrase begins with it as written."""
    keys = [w.lower() for w in words] if index.fold_case else list(words)
    firsts = {key[0] for key, _ in index.items()}
    first = keys[i]
    if first not in firsts and not index.fold_case and first[:1].isupper():
        first = first[0].lower() + first[1:]
    found = [(len(key), values) for key, values in index.items()
             if key[0] == first and tuple(keys[i + 1:i + len(key)]) == key[1:]]
    return max(found, key=lambda hit: hit[0]) if found else None


@given(WORDS, st.booleans())
def test_one_pass_finds_what_a_lookup_at_each_token_finds(words, fold_case):
    index = _index(fold_case)
    expected = [_reference(index, words, i) for i in range(len(words))]
    assert [index.match_at(words, i) for i in range(len(words))] == expected
    assert index.scan(words) == expected
