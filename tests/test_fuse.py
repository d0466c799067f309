"""Fusion is a deterministic clustering: the same events give the same records in any order."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from dyad.fuse import FuseEvent, compatible, fuse


def event(i, date, people=(), city=None, status="occurred"):
    return FuseEvent(f"e{i:03d}", frozenset({"XAR", "XGO"}), status, date, frozenset(people), city,
                     "XGO" if city else None)


def test_month_report_joins_one_day_and_days_stay_apart():
    events = [event(1, "2023-09-18"), event(2, "2023-09-19"), event(3, "2023-09"), event(4, "2023-09-19")]
    clusters = {c.event_ids for c in fuse(events)}
    # the month-precise report fits both days; it joins the earlier day, never both
    assert clusters == {("e001", "e003"), ("e002", "e004")}


def test_people_and_places_keep_meetings_apart():
    a = event(1, "2023-09-19", [("XAR", "vorn")], "Minas Tirith")
    b = event(2, "2023-09-19", [("XAR", "amon")], "Minas Tirith")
    c = event(3, "2023-09-19", [("XAR", "vorn")], "Osgiliath")
    assert not compatible(a, b) and not compatible(a, c)
    assert len(fuse([a, b, c])) == 3


def test_clusters_do_not_depend_on_order():
    rng = random.Random(4)
    events = [event(i, rng.choice(["2023-09-18", "2023-09-19", "2023-09", None, "2023"]),
                    rng.choice([(), [("XAR", "vorn")], [("XAR", "amon")]]), rng.choice([None, "Minas Tirith"]))
              for i in range(60)]
    expected = fuse(events)
    for seed in range(10):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        assert fuse(shuffled) == expected


def first_fit(events):
    """The clustering as defined, without shortcuts: each event in canonical order joins the first cluster
    all of whose members it is compatible with."""
    rank = {10: 0, 7: 1, 4: 2}
    clusters = []
    for e in sorted(events, key=lambda e: (rank.get(len(e.date or ""), 3), e.date or "", e.id)):
        for members in clusters:
            if all(compatible(e, other) for other in members):
                members.append(e)
                break
        else:
            clusters.append([e])
    return sorted(tuple(sorted(e.id for e in m)) for m in clusters)


people_of_side = st.frozensets(st.tuples(st.sampled_from(["XAR", "XGO"]), st.sampled_from(["vorn", "amon", "ithil"])),
                               max_size=3)
fuse_events = st.lists(st.builds(
    lambda date, people, city, place, status: (date, people, city, place, status),
    st.sampled_from(["2023-09-18", "2023-09-19", "2023-09-20", "2023-09", "2023", None]), people_of_side,
    st.sampled_from([None, "Minas Tirith", "Osgiliath"]), st.sampled_from([None, "XGO", "XAR"]),
    st.sampled_from(["occurred", "occurred", "planned"])), max_size=40)


@settings(max_examples=300, deadline=None)
@given(fuse_events)
def test_shortcuts_give_the_plain_first_fit_clustering(specs):
    events = [FuseEvent(f"e{i:03d}", frozenset({"XAR", "XGO"}), status, date, people, city, place)
              for i, (date, people, city, place, status) in enumerate(specs)]
    assert sorted(c.event_ids for c in fuse(events)) == first_fit(events)
