from pathlib import Path

import pytest

from dyad.kb.loader import load_kb

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def kb():
    return load_kb()


@pytest.fixture(scope="session")
def fantasy_kb():
    return load_kb(DATA / "fantasy_kb.yaml")
