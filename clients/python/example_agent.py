"""Plays a party seat of a `backchannel serve` room: accepts any offer worth at least its
threshold to it, otherwise offers its own best package (read from its GeniusWeb profile, which
the server sends only to this seat); votes and ratifies by the same threshold; reports the
threshold as its floor in confidential mediation.

    python3 example_agent.py HOST:PORT TOKEN [THRESHOLD=0.6]
"""

import json
import sys

from backchannel_client import Seat


def best_package(welcome):
    """The package maximising the seat's own linear-additive utility."""
    profile = json.loads(welcome["you"]["profile"])["LinearAdditiveUtilitySpace"]
    best = {}
    for issue, fn in profile["issueUtilities"].items():
        utils = fn["discreteutils"]["valueUtilities"]
        best[issue] = max(utils, key=utils.get)
    return best


def main():
    addr, token = sys.argv[1], sys.argv[2]
    threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 0.6
    seat = Seat.join(addr, token)
    best = best_package(seat.welcome)
    for turn in seat.turns():
        expected = turn["expected"]
        good = turn.get("your_utility", 0.0) >= threshold
        if "accept" in expected and good:
            seat.act({"kind": "accept"})
        elif "offer" in expected:
            seat.act({"kind": "offer", "outcome": best})
        elif "vote" in expected:
            seat.act({"kind": "vote", "accept": good})
        elif "ratify" in expected:
            seat.act({"kind": "ratify", "accept": good})
        elif "report" in expected:
            seat.act({"kind": "report", "floor": threshold})
        else:
            seat.act({"kind": "end"})
    print(json.dumps(seat.ending))


if __name__ == "__main__":
    main()
