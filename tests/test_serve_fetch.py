"""POST /documents with a URL instead of text: fetched by the ingest worker, but never from the server's own
networks."""

import pytest
from fastapi.testclient import TestClient

from dyad.serve.api import create_app
from dyad.settings import Settings
from dyad.store import open_store
from tests.webdata import FILLER, MEETING_DE, page

TOKEN = "t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def ingested(client) -> dict:
    """GET /ingest once the worker has fetched, extracted and stored what was posted."""
    client.app.state.ingest.join()
    return client.get("/ingest").json()


@pytest.fixture
def served(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/a").respond_with_data(page("Macron empfängt Modi", [MEETING_DE, FILLER]),
                                                      content_type="text/html")
    return httpserver


@pytest.mark.parametrize("url, reason", [
    ("{local}", "private address (127.0.0.1)"),
    ("http://169.254.169.254/latest/meta-data/", "private address (169.254.169.254)"),
    ("http://10.0.0.7/a", "private address (10.0.0.7)"),
    ("file:///etc/passwd", "only http and https"),
])
def test_a_url_on_a_private_network_is_refused(served, tmp_path, kb, url, reason):
    client = TestClient(create_app(open_store(str(tmp_path / "s.db")), token=TOKEN, kb=kb))
    url = url.format(local=served.url_for("/a").replace("localhost", "127.0.0.1"))
    response = client.post("/documents", json=[{"id": "p", "url": url}], headers=AUTH)
    assert response.status_code == 202 and response.json()["accepted"] == ["p"]
    body = ingested(client)
    assert body["added"] == 0 and len(body["failed"]) == 1
    assert body["failed"][0].startswith(f"POST p ({url}): fetch: ") and reason in body["failed"][0]
    assert not served.log, "no request reached the local server"


def test_a_url_is_fetched_where_allowed(served, tmp_path, kb):
    store = open_store(str(tmp_path / "s.db"))
    client = TestClient(create_app(store, token=TOKEN, kb=kb, fetch_settings=Settings(host_interval=0.0)))
    response = client.post("/documents", json=[{"id": "p", "url": served.url_for("/a"), "published": "2023-07-17"}],
                           headers=AUTH)
    assert response.status_code == 202
    assert ingested(client)["added"] == 1 and ingested(client)["events"] >= 1
    document = client.get("/documents/1").json()
    assert (document["doc_key"], document["published"]) == ("p", "2023-07-17")
    assert MEETING_DE in document["text"] and document["extractor"].startswith("trafilatura")


def test_neither_text_nor_url_is_422(tmp_path, kb):
    client = TestClient(create_app(open_store(str(tmp_path / "s.db")), token=TOKEN, kb=kb))
    assert client.post("/documents", json=[{"id": "p"}], headers=AUTH).status_code == 422
