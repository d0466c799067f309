"""A few hundred mutated documents of every kind: no crash, no hang (bench/fuzz.py runs 10,000)."""

from tests.fuzzing import fuzz, mutate, seeds


def test_mutations_change_the_input():
    import random

    pool = seeds()
    rng = random.Random(1)
    data = pool["html"][0]
    assert sum(mutate(data, rng, [data]) != data for _ in range(20)) >= 18


def test_mutated_documents_neither_crash_nor_hang(kb, capfd):
    report = fuzz(300, kb, seed=2026, alarm=20)
    assert capfd.readouterr() == ("", "")  # the libraries under the readers print nothing either
    assert report.tried == 300
    assert report.crashes == [] and report.hangs == []
    assert report.documents > 0 and report.errors > 0  # both outcomes occur: the run exercised something
    assert set(report.by_kind) == {"text", "jsonl", "html", "warc", "feed", "sitemap"}
