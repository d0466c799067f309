from hypothesis import given, settings
from hypothesis import strategies as st

from dyad.clean import SAME_LENGTH, clean
from dyad.lexicon import available_languages, load_lexicon
from dyad.model import Document

LEXICONS = [load_lexicon(lang) for lang in available_languages()]


def cleaned(text):
    return clean(Document("t", text), LEXICONS)


def test_debris_lines_and_markers_are_removed():
    text = ("Titel\n\nLesedauer: 3 Minuten\nDer Minister[ad_1] reiste ab.\nLesetipp: Etwas anderes\n"
            "Share on Facebook\nFoto: dpa\nEnde.")
    out = cleaned(text).text
    assert "Lesedauer" not in out and "Lesetipp" not in out and "[ad_1]" not in out
    assert "Facebook" not in out and "dpa" not in out
    assert "Der Minister reiste ab." in out and "Titel" in out and "Ende." in out


def test_prose_starting_with_by_or_von_is_kept():
    text = "Von Moskau aus reiste er weiter.\nBy the end of the talks both sides agreed."
    assert cleaned(text).text == text


def same(ch: str) -> str:
    """A character as clean text writes it, up to the dash a spaced hyphen becomes."""
    return ch.translate(SAME_LENGTH).replace("–", "-")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab Z.\n\t„“’\u00ad\u200b[]_<>-–") + ["[ad_1]", "Lesedauer: 2", "<b>"]),
                max_size=60).map("".join))
def test_every_clean_character_maps_to_its_original(text):
    result = cleaned(text)
    assert len(result.offsets) == len(result.text)
    for i, ch in enumerate(result.text):
        assert same(text[result.offsets[i]]) == same(ch)
    assert list(result.offsets) == sorted(set(result.offsets))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.integers(0, 119), st.integers(0, 119))
def test_spans_map_back_inside_the_original(text, a, b):
    result = cleaned(text)
    n = len(result.text)
    start, end = sorted((min(a, n), min(b, n)))
    o_start, o_end = result.to_original(start, end)
    assert 0 <= o_start <= o_end <= len(text)
    if start < end:
        assert same(text[o_start:o_end]).replace("\u00ad", "").replace("\u200b", "") \
            .startswith(same(result.text[start]))


def test_a_hyphen_between_spaces_becomes_a_dash_and_joining_dashes_a_hyphen():
    text = "Astana - Sie kamen zusammen – es war gut. US–China talks."
    out = clean(Document("t", text, None, None), [load_lexicon(x) for x in available_languages()]).text
    assert out == "Astana – Sie kamen zusammen – es war gut. US-China talks."
