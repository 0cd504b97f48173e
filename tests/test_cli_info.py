"""``reprints info``: the corpus summary a user sees, and the reading options."""

from __future__ import annotations

import csv
import re

from reprints.cli import main


def rows(output: str) -> dict[str, str]:
    """Map each 'label  value' line of the overview (and each outlet row) to its value."""
    found = {}
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"\s{2,}|│|┃", line) if c.strip()]
        if len(cells) >= 2:
            found[cells[0]] = " ".join(cells[1:])
    return found


def test_info_on_the_sample_shows_outlets_dates_and_words(runner, sample_dir, sample_corpus):
    result = runner.invoke(main, ["info", str(sample_dir)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    summary = rows(result.stdout)
    assert summary["documents"] == "5"
    assert summary["outlets"] == "4"
    assert summary["dates"] == "2015-11-02 … 2017-12-29"
    assert summary["problems"] == "none"
    assert summary["SouthFront"].startswith("2 2015-11-02 2017-12-29")
    assert summary["The Duran"].startswith("1 2017-09-08 2017-09-08")
    assert set(summary) >= {"Sputnik", "21st Century Wire"}


def test_info_maps_csv_columns(runner, tmp_path):
    path = tmp_path / "scrape.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "publisher", "scrape_time", "text"])
        writer.writerow(
            [
                "1",
                "cnn.com",
                "2018-07-15T07:54:28-04:00",
                "Trump met Putin in Helsinki ### (AP) — The summit began.",
            ]
        )
        writer.writerow(
            [
                "2",
                "foxnews.com",
                "2018-07-16T09:00:00-04:00",
                "HELSINKI (AP) — The summit began on Monday.",
            ]
        )
    result = runner.invoke(
        main, ["info", str(path), "--columns", "publisher=outlet,scrape_time=date"]
    )
    assert result.exit_code == 0, result.output
    summary = rows(result.stdout)
    assert (summary["outlets"], summary["dates"]) == ("2", "2018-07-15 … 2018-07-16")
    unmapped = rows(runner.invoke(main, ["info", str(path)]).stdout)
    assert unmapped["outlets"] == "0 (2 documents without an outlet)"


def test_bad_column_mapping_is_a_usage_error(runner, sample_dir):
    result = runner.invoke(main, ["info", str(sample_dir), "--columns", "publisher=source"])
    assert result.exit_code == 2
    assert "'source' is not a document field" in result.stderr


def test_quiet_keeps_the_summary_but_not_each_problem(runner, tmp_path, sample_dir):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "story.txt").write_text(
        (sample_dir / "002_0eec5a486a0ac0bb.txt").read_text(encoding="utf-8")
    )
    loud = runner.invoke(main, ["info", str(tmp_path)])
    quiet = runner.invoke(main, ["info", "--quiet", str(tmp_path)])
    assert f"{tmp_path}/empty.txt: empty file" in loud.stderr.splitlines()
    assert "empty.txt" not in quiet.stderr
    assert "skipped 1: 1 empty" in quiet.stderr.splitlines()
    assert rows(quiet.stdout)["problems"] == "1 skipped, 0 warnings"


def test_missing_input_is_reported_and_strict_fails(runner, tmp_path):
    missing = tmp_path / "nowhere"
    result = runner.invoke(main, ["info", str(missing)])
    assert result.exit_code == 0
    assert f"{missing}: no such file or folder" in result.stderr.splitlines()
    strict = runner.invoke(main, ["info", "--strict", str(missing)])
    assert strict.exit_code == 1
    assert "--strict makes any problem fatal" in strict.stderr


def test_info_help_lists_the_reading_options(runner):
    result = runner.invoke(main, ["info", "--help"])
    assert result.exit_code == 0
    for option in ("--columns", "--exclude", "--include", "--max-mb", "--strict", "--quiet"):
        assert option in result.output
