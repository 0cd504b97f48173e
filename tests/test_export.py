"""Exports: matches as CSV, the outlet reuse graph as GEXF/GraphML for Gephi."""

from __future__ import annotations

import csv
import dataclasses

import networkx as nx
import pytest

from reprints import store
from reprints.cli import main
from reprints.errors import ParameterError
from reprints.export import (
    MATCH_COLUMNS,
    export_matches_csv,
    export_outlet_graph,
    outlet_graph,
    write_graph,
    write_matches_csv,
)
from reprints.model import Match, Span
from test_store import SPUTNIK, WIRE21, seed_result


def test_matches_csv_has_one_row_per_passage_pair_with_text(tmp_path, sample_corpus, sample_texts):
    result = seed_result(sample_corpus)
    path = tmp_path / "matches.csv"
    assert write_matches_csv(result, path) == 3
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == MATCH_COLUMNS
    l2 = next(r for r in rows if "According to his data" in r["b_text"].replace("\xa0", " "))
    assert l2["a_outlet"] == "21st Century Wire" and l2["b_outlet"] == "The Duran"
    assert l2["a_text"] == sample_texts[WIRE21][int(l2["a_start"]) : int(l2["a_end"])]
    assert l2["credited"] == "true" and l2["direction"] == "a->b"
    undirected = next(r for r in rows if r["kind"] == "verbatim")
    assert undirected["credited"] == ""


def test_outlet_graph_points_from_source_to_reuser(sample_corpus):
    result = seed_result(sample_corpus)
    # 21st Century Wire (b) is the source of this one: the edge runs from it to Sputnik.
    flipped = Match(Span(SPUTNIK, 0, 30), Span(WIRE21, 0, 30), "reworded", 0.5, (), "b->a", False, 3, 4)
    graph = outlet_graph(dataclasses.replace(result, matches=(*result.matches, flipped)))
    assert graph.nodes["SouthFront"]["articles"] == 2
    assert graph.nodes["Sputnik"]["articles"] == 1
    back = graph.edges["21st Century Wire", "Sputnik"]
    assert (back["passages"], back["uncredited_passages"], back["words"]) == (1, 1, 7)
    assert not graph.has_edge("Sputnik", "21st Century Wire")
    edge = graph.edges["21st Century Wire", "The Duran"]
    assert edge["directed_passages"] == 2 and edge["article_pairs"] == 1
    assert edge["credited_passages"] == 2 and edge["uncredited_passages"] == 0
    assert edge["words"] == sum(m.verbatim_words + m.reworded_words for m in result.matches)
    # The undirected verbatim match counts on the same edge (alphabetical order), apart.
    assert edge["undirected_passages"] == 1 and edge["passages"] == 3
    assert not graph.has_edge("The Duran", "21st Century Wire")


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_graph_files_open_again_and_are_deterministic(tmp_path, sample_corpus, suffix):
    graph = outlet_graph(seed_result(sample_corpus))
    write_graph(graph, tmp_path / f"one{suffix}")
    write_graph(outlet_graph(seed_result(sample_corpus)), tmp_path / f"two{suffix}")
    assert (tmp_path / f"one{suffix}").read_bytes() == (tmp_path / f"two{suffix}").read_bytes()
    reader = nx.read_gexf if suffix == ".gexf" else nx.read_graphml
    again = reader(tmp_path / f"one{suffix}")
    assert sorted(again.nodes) == sorted(graph.nodes)
    assert int(again.edges["21st Century Wire", "The Duran"]["passages"]) == 3


def test_graph_format_comes_from_the_suffix(tmp_path, sample_corpus):
    with pytest.raises(ParameterError, match=r"\*\.gexf or \*\.graphml"):
        write_graph(outlet_graph(seed_result(sample_corpus)), tmp_path / "graph.png")


def test_export_command_writes_both_files(tmp_path, runner, sample_corpus):
    store.write_results(tmp_path / "results", seed_result(sample_corpus))
    out = runner.invoke(
        main,
        ["export", str(tmp_path / "results"), "--matches-csv", str(tmp_path / "m.csv"),
         "--graph", str(tmp_path / "g.gexf")],
    )
    assert out.exit_code == 0, out.output
    assert "wrote 3 matches" in out.output
    assert len((tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()) == 4
    assert nx.read_gexf(tmp_path / "g.gexf").has_edge("21st Century Wire", "The Duran")


def test_export_command_explains_what_is_wrong(tmp_path, runner):
    out = runner.invoke(main, ["export", str(tmp_path)])
    assert out.exit_code != 0 and "nothing to export" in out.output
    out = runner.invoke(main, ["export", str(tmp_path), "--graph", str(tmp_path / "g.gexf")])
    assert out.exit_code == 1 and "no results.db" in out.output
    out = runner.invoke(main, ["export", str(tmp_path), "--graph", str(tmp_path / "g.svg")])
    assert out.exit_code == 2 and ".graphml" in out.output
    assert runner.invoke(main, ["export", "--help"]).exit_code == 0


def test_streamed_exports_equal_the_loaded_ones(tmp_path, sample_corpus):
    result = seed_result(sample_corpus)
    store.write_results(tmp_path / "results", result)
    loaded = store.load_results(tmp_path / "results")
    write_matches_csv(loaded, tmp_path / "loaded.csv")
    assert export_matches_csv(tmp_path / "results", tmp_path / "streamed.csv") == 3
    assert (tmp_path / "loaded.csv").read_bytes() == (tmp_path / "streamed.csv").read_bytes()
    streamed = export_outlet_graph(tmp_path / "results")
    assert nx.utils.graphs_equal(streamed, outlet_graph(loaded))
    assert dict(streamed.nodes(data=True)) == dict(outlet_graph(loaded).nodes(data=True))
