"""`reprints serve`: JSON queries on loopback, bad requests rejected, stays up under load."""

from __future__ import annotations

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from reprints.cli import main
from reprints.index import Index
from reprints.serve import IndexServer

DURAN = "004_dc875d24e25a1aad.txt"


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_corpus):
    path = tmp_path_factory.mktemp("serve") / "news.db"
    with Index.create(path) as index:
        index.add([d for d in sample_corpus.documents if d.id != DURAN])
    srv = IndexServer(path, ("127.0.0.1", 0), max_bytes=200_000)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=10)


def request(srv: IndexServer, method: str, path: str, body: bytes | None = None, headers=None):
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, json.loads(response.read().decode("utf-8"))
    finally:
        conn.close()


def test_binds_loopback_by_default(server):
    assert server.server_address[0] == "127.0.0.1"


def test_query_returns_matches_in_the_scan_format(server, sample_texts):
    body = json.dumps({"text": sample_texts[DURAN], "date": "2017-09-08", "id": DURAN}).encode()
    status, answer = request(server, "POST", "/query", body, {"Content-Type": "application/json"})
    assert status == 200
    sources = {m["a"]["doc"] for m in answer["matches"]}
    assert {"000_01f78c86e39ec8cf.txt", "001_ea1662580eef0643.txt"} <= sources
    for m in answer["matches"]:
        assert {"a", "b", "kind", "score", "edits", "direction", "credited"} <= set(m)
        assert sample_texts[m["a"]["doc"]][m["a"]["start"] : m["a"]["end"]] == m["a"]["text"]
        assert sample_texts[DURAN][m["b"]["start"] : m["b"]["end"]] == m["b"]["text"]


def test_query_answer_is_the_object_index_query_json_prints(server, runner, sample_texts, tmp_path):
    body = json.dumps({"text": sample_texts[DURAN], "date": "2017-09-08", "id": DURAN}).encode()
    status, answer = request(server, "POST", "/query", body, {"Content-Type": "application/json"})
    article = tmp_path / DURAN
    article.write_text(sample_texts[DURAN], encoding="utf-8")
    printed = runner.invoke(main, ["index", "query", str(server.index_path), str(article), "--json", "--date", "2017-09-08"])
    assert status == 200 and printed.exit_code == 0, printed.output
    assert json.loads(printed.output) == answer
    assert answer["query"]["id"] == DURAN and answer["sources"]
    assert {s["id"] for s in answer["sources"]} == {m["a"]["doc"] for m in answer["matches"]}


def test_unrelated_text_gets_no_matches(server):
    body = json.dumps({"text": "The city council approved the new library budget on Tuesday evening."}).encode()
    status, answer = request(server, "POST", "/query", body)
    assert status == 200 and answer["matches"] == []


@pytest.mark.parametrize(
    "body, message",
    [
        (b"{not json", "not UTF-8 JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"txt": "typo"}', '"text" field'),
        (b'{"text": "x", "date": 20170908}', '"date" must be a string'),
        (b"\xff\xfe", "not UTF-8 JSON"),
    ],
)
def test_bad_requests_get_400_with_a_message(server, body, message):
    status, answer = request(server, "POST", "/query", body)
    assert status == 400
    assert message in answer["error"]


def test_oversize_body_gets_413(server):
    body = json.dumps({"text": "word " * 100_000}).encode()
    status, answer = request(server, "POST", "/query", body)
    assert status == 413 and "over the limit" in answer["error"]


def test_health_and_unknown_paths(server):
    assert request(server, "GET", "/health") == (200, {"status": "ok", "documents": 4})
    assert request(server, "GET", "/nope")[0] == 404
    assert request(server, "GET", "/query")[0] == 405


def test_stays_up_under_a_bounded_load(server, sample_texts):
    """200 requests from 4 threads (queries, bad bodies, health), all answered; still healthy."""
    texts = [sample_texts[k] for k in sorted(sample_texts)]

    def one(k: int) -> int:
        if k % 10 == 0:
            return request(server, "POST", "/query", b"{oops")[0]
        if k % 10 == 1:
            return request(server, "GET", "/health")[0]
        paragraph = texts[k % len(texts)].split("\n\n")[k % 5]
        top = 3 if k % 5 == 2 else 0  # every fifth aligns for real; the rest exercise the server
        return request(server, "POST", "/query", json.dumps({"text": paragraph, "top": top}).encode())[0]

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(one, range(200)))
    assert statuses.count(400) == 20
    assert statuses.count(200) == 180
    assert request(server, "GET", "/health")[0] == 200


def test_serve_refuses_a_missing_index(runner, tmp_path):
    result = runner.invoke(main, ["serve", str(tmp_path / "none.db"), "--port", "0"])
    assert result.exit_code != 0 and "create one with" in result.output


def test_serve_has_help(runner):
    result = runner.invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "127.0.0.1" in result.output
