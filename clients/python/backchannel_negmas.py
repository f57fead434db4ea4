"""Puts any NegMAS SAO negotiator (NegMAS from PyPI, e.g. `AspirationNegotiator`) in a party seat
of a live `backchannel serve` room under SAO, through `backchannel_client.Seat`.

The seat's `welcome` gives the outcome space (issues and values) and the seat's own preferences
(its linear-additive profile as GeniusWeb JSON and its reservation value; the server sends them
to this seat only). From them the adapter builds the NegMAS outcome space and utility function,
attaches the negotiator to a local `SAOMechanism` that is never run (it only gives the
negotiator its `nmi`: outcome space and round limit), and then, on each of the seat's turns,
calls the negotiator's own `respond` and `propose` with an `SAOState` for the server's round
(NegMAS's relative time `(step + 1) / (n_steps + 1)`, the offer in front of the seat as
`current_offer`) and submits what it decides. Other parties' offers reach the negotiator through
`on_partner_proposal`.

    from negmas.sao import AspirationNegotiator
    from backchannel_negmas import play
    ending = play("127.0.0.1:8080", TOKEN, AspirationNegotiator(name="aspiration"))
"""

import json

from backchannel_client import Error, Seat


def outcome_space(welcome):
    """The NegMAS outcome space of the room: one categorical issue per room issue, values in
    the room's order (so NegMAS's outcome order is the room's index order)."""
    from negmas.outcomes import make_issue, make_os

    issues = [make_issue(values=list(i["values"]), name=i["name"]) for i in welcome["issues"]]
    return make_os(issues, name=welcome.get("title") or welcome["room"])


def utility_function(welcome, space):
    """The seat's own utility function as a NegMAS `LinearAdditiveUtilityFunction`, from the
    GeniusWeb profile in the welcome, with the seat's reservation value."""
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    you = welcome.get("you")
    if not you:
        raise Error(f"seat {welcome.get('seat')}: only a party seat has preferences (the welcome has none)")
    if not you.get("profile"):
        raise Error("the seat's preferences are not linear-additive (no GeniusWeb profile in the welcome); this adapter needs one")
    profile = json.loads(you["profile"])
    space_json = profile.get("LinearAdditiveUtilitySpace")
    if space_json is None:
        raise Error(f"profile: expected a LinearAdditiveUtilitySpace, found {sorted(profile)}")
    values, weights = {}, {}
    for issue in welcome["issues"]:
        name = issue["name"]
        fn = space_json["issueUtilities"].get(name)
        if fn is None or "discreteutils" not in fn:
            raise Error(f"profile: issue `{name}` has no discrete value utilities")
        table = fn["discreteutils"]["valueUtilities"]
        missing = [v for v in issue["values"] if v not in table]
        if missing:
            raise Error(f"profile: issue `{name}` has no utility for values {missing}")
        values[name] = TableFun({v: float(table[v]) for v in issue["values"]})
        weights[name] = float(space_json["issueWeights"][name])
    reserved = you.get("reservation")
    return LinearAdditiveUtilityFunction(
        values=values,
        weights=weights,
        outcome_space=space,
        reserved_value=float("-inf") if reserved is None else float(reserved),
        name=you.get("name"),
    )


class NegmasSeat:
    """A NegMAS `SAONegotiator` playing a party seat of an SAO room."""

    def __init__(self, seat, negotiator):
        from negmas.sao import SAOMechanism

        w = seat.welcome
        if w.get("protocol") != "sao":
            raise Error(f"protocol: a NegMAS SAO negotiator plays SAO rooms, this room is `{w.get('protocol')}`")
        self.seat = seat
        self.negotiator = negotiator
        self.issues = [i["name"] for i in w["issues"]]
        self.n_steps = int(w["steps"])
        self.n_parties = int(w["parties"])
        self.space = outcome_space(w)
        self.ufun = utility_function(w, self.space)
        # A mechanism that is never run: it gives the negotiator its NMI (outcome space, round
        # limit) as NegMAS negotiators expect.
        self._local = SAOMechanism(outcome_space=self.space, n_steps=self.n_steps)
        if not self._local.add(negotiator, ufun=self.ufun):
            raise Error("NegMAS refused to add the negotiator")
        self._started = False
        self._seen = 0

    def _state(self, step, offer=None, proposer=None):
        from negmas.sao import SAOState

        return SAOState(
            running=True,
            started=True,
            step=step,
            relative_time=(step + 1) / (self.n_steps + 1),
            n_negotiators=self.n_parties,
            current_offer=offer,
            current_proposer=proposer,
        )

    def _tuple(self, package):
        return tuple(package[i] for i in self.issues)

    def _package(self, outcome):
        return {i: v for i, v in zip(self.issues, outcome)}

    def _observe(self):
        """Shows the negotiator the other parties' offers received since the last call."""
        me = self.seat.welcome["seat"]
        received = self.seat.received
        while self._seen < len(received):
            m = received[self._seen]
            self._seen += 1
            if m.get("type") == "event" and m["event"].get("event") == "offer":
                who = f"party:{m['event']['party']}"
                if who != me:
                    offer = self._tuple(m["event"]["outcome"])
                    self.negotiator.on_partner_proposal(self._state(m["event"]["step"], offer, who), who, offer)

    def decide(self, turn):
        """The action for TURN, from the negotiator's `respond` and `propose`."""
        from negmas.sao import ResponseType

        step = int(turn["step"])
        if not self._started:
            self.negotiator._on_negotiation_start(self._state(step))
            self._started = True
        self._observe()
        offer = self._tuple(turn["offer"]) if turn.get("offer") else None
        state = self._state(step, offer)
        if offer is not None:
            r = self.negotiator.respond(state, source="partner")
            r = getattr(r, "response", r)  # ExtendedResponseType carries the response
            if r == ResponseType.ACCEPT_OFFER:
                return {"kind": "accept"}
            if r == ResponseType.END_NEGOTIATION:
                return {"kind": "end"}
        proposal = self.negotiator.propose(state)
        proposal = getattr(proposal, "outcome", proposal)  # ExtendedOutcome carries the outcome
        if proposal is None:
            return {"kind": "end"}
        return {"kind": "offer", "outcome": self._package(proposal)}

    def play(self):
        """Plays every turn of the seat until the talks end; returns the ending event."""
        for turn in self.seat.turns():
            self.seat.act(self.decide(turn))
        return self.seat.ending


def play(addr, token, negotiator):
    """Joins the seat of TOKEN at ADDR with NEGOTIATOR and plays it to the end; returns the
    ending event (`{"event": "end", "ending": …, "agreement": {…} | null, …}`)."""
    seat = Seat.join(addr, token)
    try:
        return NegmasSeat(seat, negotiator).play()
    finally:
        seat.close()
