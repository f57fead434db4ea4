"""NegMAS interop: NegMAS ``Scenario`` <-> backchannel :class:`~backchannel.Domain`, and a NegMAS
``SAONegotiator`` backed by any backchannel strategy.

Requires ``negmas`` (tested with 0.16.0). Conversions are exact: additive NegMAS utilities become
backchannel additive profiles with the same per-value numbers and weights, summed in the same
order (``bias + w_1 f_1(v_1) + ...``), so utilities are equal to the last bit; any other NegMAS
utility function becomes a table of its value at every outcome, computed by NegMAS itself.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from ._core import Agent, BackchannelError, Domain

__all__ = ["BackchannelNegotiator", "from_negmas", "to_negmas"]

# Outcomes of the largest space converted as tables (NegMAS evaluates every one).
TABLE_LIMIT = 10_000_000


def _issue_spec(issue: Any) -> Tuple[str, str, List[Any]]:
    values = list(issue.all)
    if all(isinstance(v, str) for v in values):
        return issue.name, "categorical", values
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return issue.name, "integer", [int(v) for v in values]
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return issue.name, "number", [float(v) for v in values]
    return issue.name, "categorical", [str(v) for v in values]


def _profile_spec(ufun: Any, issues: Sequence[Any], outcomes: Optional[List[Any]], name: str) -> dict:
    from negmas.preferences import LinearAdditiveUtilityFunction

    rv = ufun.reserved_value
    reserved = float("-inf") if rv is None else float(rv)
    if type(ufun) is LinearAdditiveUtilityFunction:
        tables = []
        for f, issue in zip(ufun.values, issues):
            tables.append([float(f(v)) for v in issue.all])
        return {
            "name": name,
            "bias": float(getattr(ufun, "_bias", getattr(ufun, "bias", 0.0)) or 0.0),
            "weights": [float(w) for w in ufun.weights],
            "tables": tables,
            "reserved_value": reserved,
        }
    if outcomes is None:
        raise BackchannelError(f"profile {name!r}: a non-additive utility needs a discrete outcome space")
    return {"name": name, "values": [float(ufun(o)) for o in outcomes], "reserved_value": reserved}


def from_negmas(scenario: Any = None, *, outcome_space: Any = None, ufuns: Sequence[Any] = (), name: Optional[str] = None) -> Domain:
    """A backchannel domain from a NegMAS ``Scenario`` (or an outcome space and utility
    functions). Profiles keep the ufuns' names; discounts are not carried (NegMAS applies them
    in its mechanism, not in the ufun)."""
    if scenario is not None:
        outcome_space, ufuns = scenario.outcome_space, scenario.ufuns
    if outcome_space is None:
        raise BackchannelError("from_negmas: expected a Scenario or an outcome space")
    issues = list(outcome_space.issues)
    specs = [_issue_spec(i) for i in issues]
    card = outcome_space.cardinality
    outcomes = None
    needs_table = any(type(u).__name__ != "LinearAdditiveUtilityFunction" for u in ufuns)
    if needs_table:
        if card is None or card == float("inf") or card > TABLE_LIMIT:
            raise BackchannelError(f"from_negmas: {card} outcomes are too many to tabulate (limit {TABLE_LIMIT})")
        import itertools

        # NegMAS's enumeration order, the last issue fastest: backchannel's outcome index order.
        outcomes = list(itertools.product(*(list(i.all) for i in issues)))
    profiles = []
    for k, u in enumerate(ufuns):
        pname = getattr(u, "name", None) or f"profile_{k}"
        profiles.append(_profile_spec(u, issues, outcomes, pname))
    dname = name or getattr(outcome_space, "name", None) or "negmas"
    return Domain.from_parts(str(dname), specs, profiles)


def to_negmas(domain: Domain, profiles: Optional[Sequence[int]] = None) -> Any:
    """A NegMAS ``Scenario`` from a backchannel domain.

    Additive profiles become ``LinearAdditiveUtilityFunction`` with one ``TableFun`` per issue;
    others (hyper-rectangles, GENIUS's capped totals, tables) a ``MappingUtilityFunction`` of
    every outcome's utility. Utilities are those of the domain's semantics, bit for bit.
    """
    from negmas.inout import Scenario
    from negmas.outcomes import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction, MappingUtilityFunction, TableFun

    issues = []
    for iname, kind, values in domain.issues:
        if kind == "real":
            raise BackchannelError(f"to_negmas: issue {iname!r} is real; only discrete domains convert")
        if kind == "integer":
            issues.append(make_issue(values=(int(values[0]), int(values[-1])), name=iname))
        else:
            issues.append(make_issue(values=list(values), name=iname))
    os_ = make_os(issues, name=domain.name)
    which = range(len(domain.profiles)) if profiles is None else profiles
    ufuns = []
    for k in which:
        p = domain.profile(k)
        rv = p["reserved_value"]
        if p["kind"] == "additive":
            values = [TableFun(dict(zip(vals, table))) for (_, _, vals), table in zip(domain.issues, p["tables"])]
            ufuns.append(LinearAdditiveUtilityFunction(values=values, weights=list(p["weights"]), bias=p["bias"], outcome_space=os_, reserved_value=rv, name=p["name"]))
        else:
            mapping = {tuple(domain.outcome(i)): float(u) for i, u in enumerate(p["values"])}
            ufuns.append(MappingUtilityFunction(mapping, outcome_space=os_, reserved_value=rv, name=p["name"]))
    return Scenario(outcome_space=os_, ufuns=tuple(ufuns))


def _negotiator_base():
    from negmas.sao import SAONegotiator

    return SAONegotiator


class _Codec:
    """Outcome tuples <-> backchannel outcome indices (mixed radix, the last issue fastest)."""

    def __init__(self, domain: Domain):
        self.values = [list(vals) for _, _, vals in domain.issues]
        self.position = [{v: k for k, v in enumerate(vals)} for vals in self.values]
        self.radices = [len(v) for v in self.values]

    def index(self, outcome: Sequence[Any]) -> int:
        k = 0
        for pos, radix, v in zip(self.position, self.radices, outcome):
            try:
                k = k * radix + pos[v]
            except KeyError:
                raise BackchannelError(f"outcome {tuple(outcome)!r}: value {v!r} is not a value of its issue") from None
        return k

    def outcome(self, index: int) -> Tuple[Any, ...]:
        digits = []
        for radix in reversed(self.radices):
            index, d = divmod(index, radix)
            digits.append(d)
        return tuple(vals[d] for vals, d in zip(self.values, reversed(digits)))


def __getattr__(name: str):
    # The negotiator class is built on first use, so that importing backchannel.negmas does not
    # import NegMAS (slow) until the class is asked for.
    if name == "BackchannelNegotiator":
        cls = _make_negotiator_class()
        globals()[name] = cls
        return cls
    raise AttributeError(name)


def _make_negotiator_class():
    from negmas.gb.common import ResponseType
    from negmas.sao import SAOResponse

    class BackchannelNegotiator(_negotiator_base()):  # type: ignore[misc]
        """A NegMAS ``SAONegotiator`` that decides with a backchannel strategy.

        ``strategy`` is any agent specification of ``backchannel.agents()`` (``"boulware"``,
        ``"tb:e=2.5"``, ``"micro"``, ``"hardheaded"``...). Its preferences are ``domain``'s
        profile ``profile`` when given, else the ufun NegMAS gives the negotiator (converted
        exactly). It is seeded as party ``i`` of ``backchannel.negotiate(..., seed=seed)``, so in
        ``SAOMechanism(n_steps=N)`` it makes the offers and answers ``negotiate`` makes with
        ``steps=N`` (for bilateral negotiations; with more parties it observes an offer when it
        next acts).
        """

        def __init__(self, strategy: str = "boulware", *, domain: Optional[Domain] = None, profile: int = 0, seed: int = 0, **kwargs: Any):
            super().__init__(**kwargs)
            self.strategy = strategy
            self._bc_domain = domain
            self._bc_profile = profile
            self._bc_seed = seed
            self._bc_agent: Optional[Agent] = None
            self._bc_codec: Optional[_Codec] = None
            self._bc_seen: Optional[Tuple[int, Any]] = None

        def _bc_start(self) -> None:
            nmi = self.nmi
            domain, profile = self._bc_domain, self._bc_profile
            if domain is None:
                if self.ufun is None:
                    raise BackchannelError("BackchannelNegotiator: no domain given and no ufun set")
                domain = from_negmas(outcome_space=nmi.outcome_space, ufuns=[self.ufun], name="negmas")
                profile = 0
            me = nmi.negotiator_index(self.id)
            n_steps = nmi.n_steps
            if n_steps is None or n_steps == float("inf"):
                raise BackchannelError("BackchannelNegotiator: the mechanism needs a step limit (n_steps)")
            self._bc_codec = _Codec(domain)
            self._bc_agent = Agent(domain, profile, self.strategy, me, nmi.n_negotiators, int(n_steps), self._bc_seed)
            self._bc_me = me

        def _bc_propose(self, step: int):
            k = self._bc_agent.propose(step)
            return None if k is None else self._bc_codec.outcome(k)

        def __call__(self, state, dest: Optional[str] = None):
            if self._bc_agent is None:
                self._bc_start()
            step = int(state.step)
            offer = state.current_offer
            if offer is None:
                proposal = self._bc_propose(step)
                if proposal is None:
                    return SAOResponse(ResponseType.END_NEGOTIATION, None)
                return SAOResponse(ResponseType.REJECT_OFFER, proposal)
            source = self.nmi.negotiator_index(state.current_proposer)
            k = self._bc_codec.index(offer)
            if source != self._bc_me:
                # Parties act in order within a round: an offer of a later party was made in
                # the previous round. backchannel's session shows it to the strategy then.
                made = step if source < self._bc_me else step - 1
                if self._bc_seen != (made, source, k):
                    self._bc_agent.observe(made, k, source)
                    self._bc_seen = (made, source, k)
            answer = self._bc_agent.respond(step, k, source)
            if answer == "accept":
                return SAOResponse(ResponseType.ACCEPT_OFFER, offer)
            if answer == "end":
                return SAOResponse(ResponseType.END_NEGOTIATION, None)
            proposal = self._bc_propose(step)
            if proposal is None:
                return SAOResponse(ResponseType.END_NEGOTIATION, None)
            return SAOResponse(ResponseType.REJECT_OFFER, proposal)

        def propose(self, state, dest: Optional[str] = None):
            if self._bc_agent is None:
                self._bc_start()
            return self._bc_propose(int(state.step))

    return BackchannelNegotiator
