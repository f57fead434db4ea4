"""A NegMAS negotiator (NegMAS from PyPI) in a seat of a live room: `backchannel serve` (the
release binary) on a free port with a temporary SQLite database, an SAO room on ItexvsCypress
created with the admin token, NegMAS's `AspirationNegotiator` in party 0 through
`backchannel_negmas`, the built-in `conceder` agent in party 1; the talks end in an agreement."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))

negmas = pytest.importorskip("negmas")

from backchannel_client import Seat  # noqa: E402
from backchannel_negmas import NegmasSeat, play  # noqa: E402

ITEX = ROOT / "tests" / "data" / "genius" / "ItexvsCypress"


def binary() -> Path:
    b = Path(os.environ.get("BACKCHANNEL_BIN", ROOT / "target" / "release" / "backchannel"))
    if not b.exists():
        raise RuntimeError(f"{b}: the backchannel binary is missing; build it with `cargo build --release -p backchannel`")
    return b


@pytest.fixture
def server(tmp_path):
    admin = secrets.token_hex(32)
    env = dict(os.environ, BC_ADMIN_TOKEN=admin)
    p = subprocess.Popen(
        [str(binary()), "serve", "--addr", "127.0.0.1:0", "--database", f"sqlite://{tmp_path / 'rooms.sqlite'}", "--no-demo"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        first = p.stdout.readline().strip()
        assert first.startswith("listening on http://"), first
        yield first.removeprefix("listening on http://"), admin
    finally:
        p.kill()
        p.wait()


def request(addr, method, path, admin, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://{addr}{path}", data=data, method=method, headers={"Authorization": f"Bearer {admin}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read().decode()


def create_room(addr, admin, steps=100):
    spec = {
        "title": "NegMAS in a seat",
        "protocol": "sao",
        "steps": steps,
        "seed": 1,
        "domain": {
            "format": "genius",
            "domain": (ITEX / "ItexvsCypress_domain.xml").read_text(),
            "profiles": [(ITEX / "ItexvsCypress_Cypress.xml").read_text(), (ITEX / "ItexvsCypress_Itex.xml").read_text()],
        },
        "parties": [{"by": "external"}, {"by": "agent", "name": "conceder"}],
        "observers": 1,
    }
    created = json.loads(request(addr, "POST", "/api/v1/rooms", admin, spec))
    tokens = {s["seat"]: s.get("token") for s in created["seats"]}
    return created["room"], tokens


def test_aspiration_negotiator_reaches_an_agreement_in_a_live_room(server):
    from negmas.sao import AspirationNegotiator

    addr, admin = server
    room, tokens = create_room(addr, admin)
    seat = Seat.join(addr, tokens["party:0"])
    adapter = NegmasSeat(seat, AspirationNegotiator(name="aspiration"))
    ending = adapter.play()
    seat.close()
    assert ending["ending"] == "agreement", ending
    agreement = ending["agreement"]
    issues = {i["name"]: i["values"] for i in seat.welcome["issues"]}
    assert set(agreement) == set(issues) and all(agreement[k] in issues[k] for k in issues)

    # The room's log (admin export): the NegMAS seat's moves are in it, and its first offer is
    # the best outcome of the utility function it was given, computed here by NegMAS itself
    # (so the seat's preferences reached NegMAS intact).
    log = [json.loads(line) for line in request(addr, "GET", f"/api/v1/rooms/{room}/events.jsonl", admin).splitlines()]
    mine = [e["action"] for e in log if e["type"] == "action" and e["seat"] == "party:0"]
    assert mine and mine[0]["kind"] == "offer"
    ufun = adapter.ufun
    best = max(adapter.space.enumerate_or_sample(), key=ufun)
    index = 0  # the room's outcome index: mixed radix, the last issue varying fastest
    for name, value in zip(adapter.issues, best):
        index = index * len(issues[name]) + issues[name].index(value)
    assert mine[0]["outcome"] == index
    # An agreement the negotiator accepted or proposed is worth at least its reservation to it.
    assert ufun(tuple(agreement[k] for k in adapter.issues)) >= ufun.reserved_value
    # The log ends with the agreeing acceptance.
    assert log[-1]["type"] == "action" and log[-1]["action"]["kind"] == "accept"


def test_play_helper_and_a_wrong_protocol(server):
    from negmas.sao import AspirationNegotiator

    addr, admin = server
    _, tokens = create_room(addr, admin, steps=60)
    ending = play(addr, tokens["party:0"], AspirationNegotiator(name="a"))
    assert ending["event"] == "end" and ending["ending"] in ("agreement", "timeout", "ended")
    # A single-text room: the adapter refuses it with a clear error instead of misplaying.
    spec = {"protocol": "single-text", "steps": 10, "domain": {"format": "scenario"}, "parties": [{"by": "external"}, {"by": "agent", "name": "conceder"}]}
    created = json.loads(request(addr, "POST", "/api/v1/rooms", admin, spec))
    token = next(s["token"] for s in created["seats"] if s["seat"] == "party:0")
    seat = Seat.join(addr, token)
    with pytest.raises(Exception, match="plays SAO rooms"):
        NegmasSeat(seat, AspirationNegotiator(name="b"))
    seat.close()
