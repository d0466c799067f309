from pathlib import Path

import pytest

from dyad.kb.loader import load_kb

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def kb():
    return load_kb()


@pytest.fixture(scope="session")
def fantasy_kb():
    return load_kb(DATA / "fantasy_kb.yaml")
