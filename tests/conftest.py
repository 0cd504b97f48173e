"""Shared fixtures: the sample corpus, a click runner, and the seed gold labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reprints.read import read_corpus

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_corpus():
    return read_corpus([SAMPLE])


@pytest.fixture(scope="session")
def sample_texts(sample_corpus) -> dict[str, str]:
    return {d.id: d.text for d in sample_corpus.documents}


def find_span(text: str, needle: str) -> tuple[int, int]:
    """Locate ``needle`` in ``text`` with any run of white space standing for each space."""
    pattern = r"\s+".join(re.escape(w) for w in needle.split())
    m = re.search(pattern, text)
    assert m, f"not found: {needle[:60]!r}"
    return m.start(), m.end()


# The seed gold labels, copied as facts about sample_data (the five articles are ours to ship;
# gold.json stays in ../shared). Only the links the tests use are repeated here.
GOLD_L1 = (
    "001_ea1662580eef0643.txt",
    "a military and diplomatic source told Sputnik News that the first such extraction took place on August 26th",
    "004_dc875d24e25a1aad.txt",
    "The source said that on August 26, a ‘US Air Force helicopter’ had evacuated 2 Daesh field commanders",
)
GOLD_L2 = (
    "001_ea1662580eef0643.txt",
    "Then two days later, US choppers are said to have returned to transfer another 20 ISIS field commanders",
    "004_dc875d24e25a1aad.txt",
    "According to his data, two days later, US choppers transferred 20 Daesh field commanders",
)


def shared_gold() -> dict | None:
    path = SHARED / "seeds" / "gold.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
