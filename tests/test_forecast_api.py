"""Forecasts over HTTP: the REST routes (filters, pages, the token, 404 and 422) and the pages, with hand-made Documents.

Every test runs on SQLite and on PostgreSQL (see conftest.py); the app's extractor is the stub of test_api.py.
"""

import re

import pytest
from fastapi.testclient import TestClient

from test_api import _app, error_of
from test_forecast_ledger import poll_doc, roe_doc

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(db_url):
    app = _app(db_url, [roe_doc(), poll_doc()], token=TOKEN)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.onrecord.ledger.close()


def _ids(client, **params):
    return {f["text"]: f["id"] for f in client.get("/api/v1/forecasts", params={"limit": 200, **params}).json()["items"]}


# --- REST --------------------------------------------------------------------------------------


def test_forecasts_are_listed_filtered_and_paged(client):
    body = client.get("/api/v1/forecasts").json()
    assert body["total"] == 11 and len(body["items"]) == 11 and body["next"] is None
    first = body["items"][0]
    assert first["text"] == "taxes will fall" and first["publisher"] == "Reuters"  # dated articles first
    assert {"id", "article_id", "forecast", "speaker_id", "estimative", "probability", "due", "outcome", "overdue"} <= set(first)
    roe = first["speaker_id"]
    assert set(_ids(client, speaker="jane roe")) == set(_ids(client, speaker=str(roe))) == {"taxes will fall", "rates will likely rise"}
    assert len(_ids(client, outlet="gazette")) == 7
    due = client.get("/api/v1/forecasts", params={"due_by": "2024-05-31"}).json()
    assert due["total"] == 3 and {f["text"] for f in due["items"]} == {"taxes will fall", "the vote will pass"}
    page = client.get("/api/v1/forecasts", params={"limit": 4, "offset": 8}).json()
    assert len(page["items"]) == 3 and page["next_offset"] is None
    assert client.get("/api/v1/forecasts", params={"limit": 4}).json()["next"].endswith("limit=4&offset=4")
    assert "YYYY-MM-DD" in error_of(client.get("/api/v1/forecasts", params={"due_by": "soon"}), 400, "E505")
    error_of(client.get("/api/v1/forecasts", params={"limit": 0}), 422, "E606")


def test_recording_an_outcome_needs_the_token_and_answers_the_forecast(client):
    taxes = _ids(client, outlet="Reuters")["taxes will fall"]  # Jane Roe's (Ann Poll says it too, in the Gazette)
    url = f"/api/v1/forecasts/{taxes}/outcome"
    body = {"outcome": "true", "note": "cut in May", "source": "https://example.org/budget", "judged_on": "2024-05-30"}
    refused = client.post(url, json=body)
    error_of(refused, 401, "E602")
    assert refused.headers["www-authenticate"] == "Bearer"
    error_of(client.post(url, json=body, headers={"Authorization": "Bearer wrong"}), 401, "E602")
    error_of(client.post(url, json={"outcome": "maybe"}), 401, "E602")  # the token is checked before the body
    error_of(client.post(url, json=body, headers={"Origin": "https://evil.example", **AUTH}), 403, "E609")
    assert client.get("/api/v1/forecasts", params={"open": "true"}).json()["total"] == 11  # nothing recorded
    done = client.post(url, json=body, headers=AUTH)
    assert done.status_code == 200, done.text
    got = done.json()
    assert (got["id"], got["outcome"], got["note"], got["source"], got["judged_on"], got["overdue"]) == (
        taxes, "true", "cut in May", "https://example.org/budget", "2024-05-30", False)
    assert client.get("/api/v1/forecasts", params={"open": "true"}).json()["total"] == 10
    assert "taxes will fall" not in _ids(client, open="true", outlet="Reuters")
    assert client.get(f"/api/v1/forecasts/{taxes}").json()["outcome"] == "true"  # one forecast by its id
    error_of(client.get("/api/v1/forecasts/99999"), 404, "E603")
    error_of(client.delete(url), 401, "E602")  # taking it back needs the token too
    reopened = client.delete(url, headers=AUTH)
    assert reopened.status_code == 200 and (reopened.json()["outcome"], reopened.json()["note"]) == (None, None)
    assert client.get("/api/v1/forecasts", params={"open": "true"}).json()["total"] == 11
    error_of(client.delete("/api/v1/forecasts/99999/outcome", headers=AUTH), 404, "E603")


def test_outcome_errors_are_404_422_and_400(client):
    some = _ids(client)["the vote will pass"]
    assert "/api/v1/forecasts" in error_of(client.post("/api/v1/forecasts/9999/outcome", json={"outcome": "void"}, headers=AUTH),
                                           404, "E603")
    error_of(client.post(f"/api/v1/forecasts/{2**40}/outcome", json={"outcome": "void"}, headers=AUTH), 404, "E603")
    assert "'true', 'false' or 'void'" in error_of(
        client.post(f"/api/v1/forecasts/{some}/outcome", json={"outcome": "maybe"}, headers=AUTH), 422, "E606")
    error_of(client.post(f"/api/v1/forecasts/{some}/outcome", json={}, headers=AUTH), 422, "E606")
    error_of(client.post("/api/v1/forecasts/0/outcome", json={"outcome": "void"}, headers=AUTH), 422, "E606")
    error_of(client.post(f"/api/v1/forecasts/{some}/outcome", json={"outcome": "void", "judged_on": "2024-02-30"}, headers=AUTH),
             400, "E505")
    reuters = _ids(client, outlet="Reuters")["taxes will fall"]  # Roe's article is dated 2024-03-01
    early = client.post(f"/api/v1/forecasts/{reuters}/outcome", json={"outcome": "true", "judged_on": "2024-02-01"}, headers=AUTH)
    message = error_of(early, 400, "E518")
    assert "before its article was published" in message and "from 2024-03-01 to today" in message
    future = client.post(f"/api/v1/forecasts/{reuters}/outcome", json={"outcome": "true", "judged_on": "2999-01-01"}, headers=AUTH)
    assert "in the future" in error_of(future, 400, "E518")
    refused = client.get(f"/api/v1/forecasts/{some}/outcome")
    assert "takes DELETE, POST" in error_of(refused, 405, "E614")
    assert client.get("/api/v1/forecasts", params={"open": "false"}).json()["total"] == 0  # refused calls judged nothing


def test_open_is_three_way_absent_all_true_open_false_judged(client):
    ids = _ids(client, outlet="Gazette")
    for text, outcome in (("the vote will pass", "void"), ("taxes will fall", "true")):
        assert client.post(f"/api/v1/forecasts/{ids[text]}/outcome", json={"outcome": outcome}, headers=AUTH).status_code == 200
    total = {value: client.get("/api/v1/forecasts", params={"open": value} if value else {}).json()["total"]
             for value in (None, "true", "false")}
    assert total == {None: 11, "true": 9, "false": 2}
    judged = client.get("/api/v1/forecasts", params={"open": "false"}).json()["items"]
    assert {(f["text"], f["outcome"]) for f in judged} == {("the vote will pass", "void"), ("taxes will fall", "true")}
    error_of(client.get("/api/v1/forecasts", params={"open": "maybe"}), 422, "E606")


def test_track_record_and_leaderboard(client):
    judged = {"taxes will fall": "true", "rates will likely rise": "false", "a strike is unlikely": "false",
              "a deal is unlikely before June": "false"}
    for outlet in ("Reuters", "Gazette"):
        for text, id_ in _ids(client, outlet=outlet).items():
            if text in judged:
                assert client.post(f"/api/v1/forecasts/{id_}/outcome", json={"outcome": judged[text]}, headers=AUTH).status_code == 200
    board = client.get("/api/v1/records").json()
    # Doe: 0.325^2; Poll: (0.1^2 + 0.675^2 + 0.325^2) / 3; Roe: (0.1^2 + 0.675^2) / 2
    assert [(r["speaker"], r["brier"]) for r in board["items"]] == [("John Doe", 0.1056), ("Ann Poll", 0.1904), ("Jane Roe", 0.2328)]
    doe = board["items"][0]
    assert (doe["judged"], doe["came_false"], doe["brier"], doe["hit_rate"]) == (1, 1, 0.1056, 1.0)  # "unlikely", and it did not come: right
    record = client.get(f"/api/v1/speakers/{doe['speaker_id']}/record").json()
    assert record == doe and record["calibration"] == [
        {"band": "20-45%", "low": 0.2, "high": 0.45, "forecasts": 1, "came_true": 0, "share": 0.0, "mean_probability": 0.325}]
    assert client.get("/api/v1/records", params={"min_judged": 5}).json()["total"] == 0
    error_of(client.get("/api/v1/records", params={"min_judged": 0}), 422, "E606")
    assert "/api/v1/speakers" in error_of(client.get("/api/v1/speakers/9999/record"), 404, "E603")
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/forecasts", "/api/v1/forecasts/{forecast_id}/outcome", "/api/v1/speakers/{speaker_id}/record",
            "/api/v1/records"} <= set(spec["paths"])
    post = spec["paths"]["/api/v1/forecasts/{forecast_id}/outcome"]["post"]
    assert post["security"] == [{"token": []}, {}] and {"200", "401", "404", "422"} <= set(post["responses"])
    assert post["summary"] == "Record what became of a forecast"


# --- pages -------------------------------------------------------------------------------------


def test_forecasts_page_lists_filters_and_shows_the_leaderboard(client):
    page = client.get("/forecasts")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert '<a href="/forecasts" class="active">Forecasts</a>' in html
    assert html.count('<tr id="fc-') == 11 and "a recession next year" in html and "overdue" in html
    assert 'name="token"' in html  # the server has a token: each outcome form asks for it
    assert "No forecast has been judged yet" in html
    ids = _ids(client, outlet="Reuters")
    client.post(f"/api/v1/forecasts/{ids['a recession next year']}/outcome", json={"outcome": "void"}, headers=AUTH)
    client.post(f"/api/v1/forecasts/{ids['a deal is unlikely before June']}/outcome",
                json={"outcome": "false", "source": "javascript:alert(1)"}, headers=AUTH)
    html = client.get("/forecasts").text
    assert '<span class="outcome outcome-void">void</span>' in html and 'href="javascript:' not in html
    assert re.search(r'<a href="/speakers/\d+">John Doe</a>', html) and "0.106" in html  # the leaderboard
    opened = client.get("/forecasts", params={"open": "1"}).text
    assert opened.count('<tr id="fc-') == 9 and "a recession next year" not in opened and " checked" in opened
    roe = client.get("/forecasts", params={"speaker": "Jane Roe"}).text
    assert roe.count('<tr id="fc-') == 2 and 'value="Jane Roe"' in roe
    assert "No forecasts by “Nobody”" in client.get("/forecasts", params={"speaker": "Nobody"}).text


def test_the_outcome_form_records_and_goes_back(client):
    deal = _ids(client)["a deal is unlikely before June"]
    form = {"outcome": "false", "judged_on": "2024-07-01", "note": "talks failed", "source": "https://example.org/t",
            "back": "/forecasts?open=1"}
    for token in ("", "wrong"):
        refused = client.post(f"/forecasts/{deal}/outcome", data={**form, "token": token}, follow_redirects=False)
        assert refused.status_code == 401 and "E619" in refused.text and "outcome form" in refused.text
        assert refused.headers["www-authenticate"] == "Bearer"
    done = client.post(f"/forecasts/{deal}/outcome", data={**form, "token": TOKEN}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/forecasts?open=1#fc-{deal}"
    row = client.get("/api/v1/forecasts", params={"speaker": "John Doe"}).json()["items"][0]
    assert (row["outcome"], row["judged_on"], row["note"], row["source"]) == ("false", "2024-07-01", "talks failed", "https://example.org/t")
    # the API's header instead of the form's field; a back link elsewhere is not followed
    again = client.post(f"/forecasts/{deal}/outcome", data={"outcome": "void", "back": "//evil.example/x"}, headers=AUTH,
                        follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == f"/forecasts#fc-{deal}"
    for data, status, code in (({"outcome": "maybe", "token": TOKEN}, 422, "E516"), ({"outcome": "true", "token": TOKEN,
                               "judged_on": "soon"}, 400, "E505")):
        r = client.post(f"/forecasts/{deal}/outcome", data=data, follow_redirects=False)
        assert r.status_code == status and code in r.text and 'id="outcome-error"' in r.text
    r = client.post("/forecasts/9999/outcome", data={"outcome": "true", "token": TOKEN}, follow_redirects=False)
    assert r.status_code == 404 and "E515" in r.text
    assert client.get("/api/v1/forecasts", params={"speaker": "John Doe"}).json()["items"][0]["outcome"] == "void"
    cross = client.post(f"/forecasts/{deal}/outcome", data={"outcome": "true", "token": TOKEN},
                        headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert cross.status_code == 403 and "E609" in cross.text


def test_the_speaker_page_shows_the_track_record_and_forecasts(client):
    ids = _ids(client, speaker="Ann Poll")
    for text, outcome in (("rates will likely rise", "false"), ("a strike is unlikely", "false")):
        client.post(f"/api/v1/forecasts/{ids[text]}/outcome", json={"outcome": outcome}, headers=AUTH)
    poll = client.get("/api/v1/forecasts", params={"speaker": "Ann Poll"}).json()["items"][0]["speaker_id"]
    html = client.get(f"/speakers/{poll}").text
    assert 'id="track-record"' in html and "<b>7</b><span>forecasts</span>" in html
    assert "<b>50%</b><span>hit rate</span>" in html and "0.281" in html  # (0.675^2 + 0.325^2) / 2 = 0.28063; the strike, "unlikely", was right
    assert html.count('<tr id="fc-') == 7 and "the mayor will quit" in html
    roe = client.get("/api/v1/speakers", params={"q": "jane roe"}).json()["items"][0]["id"]
    doe = client.get("/api/v1/speakers", params={"q": "john doe"}).json()["items"][0]["id"]
    assert "Track record" in client.get(f"/speakers/{roe}").text
    client.app.state.onrecord.ledger.add(roe_doc(forecasts=[]))  # stored again without forecasts
    assert 'id="track-record"' not in client.get(f"/speakers/{doe}").text


def test_forecast_texts_notes_and_names_are_escaped(tmp_path):
    from test_api import HOSTILE
    from test_forecast_ledger import _ref, forecast

    from onrecord.model import Document, Entity

    text = f"Dr. Evil said {HOSTILE} will happen by June."
    evil = _ref(f"Dr. {HOSTILE}")
    doc = Document(text=text, entities=[Entity(evil.id, evil.name, evil.type)], publisher=f"Evil {HOSTILE}", forecasts=[
        forecast(text, "f1", f"{HOSTILE} will happen", speaker=evil, estimative="will", probability=0.9, horizon="by June",
                 due="2024-06-30")])
    with TestClient(_app(tmp_path, [doc])) as client:
        fid = client.get("/api/v1/forecasts").json()["items"][0]["id"]
        client.post(f"/api/v1/forecasts/{fid}/outcome", json={"outcome": "true", "note": HOSTILE, "source": "javascript:alert(1)"})
        sid = client.get("/api/v1/forecasts").json()["items"][0]["speaker_id"]
        for path in ("/forecasts", f"/speakers/{sid}", "/forecasts?speaker=" + HOSTILE):
            html = client.get(path).text
            assert "<script>window" not in html and "<img src=x" not in html and 'href="javascript:' not in html, path
            assert "&lt;script&gt;" in html, path
