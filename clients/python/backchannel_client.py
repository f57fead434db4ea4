"""A small client of `backchannel serve` (wire protocol v1, see docs/serve.md) on the Python
standard library alone: joins a seat with its token over a WebSocket, receives what the seat
may see, and submits actions.

    from backchannel_client import Seat
    seat = Seat.join("127.0.0.1:8080", TOKEN)
    print(seat.welcome["issues"])
    for turn in seat.turns():          # your turns, until the talks end
        seat.act({"kind": "accept"} if "accept" in turn["expected"] else {"kind": "end"})
"""

import base64
import json
import os
import socket
import struct


class Error(Exception):
    """The server refused an action or message (the text says what was expected)."""


class Seat:
    """One seat's connection."""

    def __init__(self, sock):
        self._sock = sock
        self._buf = b""
        self.welcome = None
        self.ending = None
        self.received = []
        self._pending = []

    @classmethod
    def join(cls, addr, token, timeout=30.0):
        """Connects to ADDR ("host:port"), says hello with TOKEN and reads the welcome."""
        host, port = addr.rsplit(":", 1)
        sock = socket.create_connection((host, int(port)), timeout=timeout)
        # Small messages leave at once (no Nagle delay behind an unacknowledged one).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET /api/v1/ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        seat = cls(sock)
        head = seat._read_until(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise Error(f"the server refused the WebSocket: {head[:200]!r}")
        seat.send({"type": "hello", "token": token})
        w = seat.recv()
        if w.get("type") != "welcome":
            raise Error(w.get("message", f"expected a welcome, got {w}"))
        seat.welcome = w
        seat.ending = w.get("ending")
        if w.get("turn"):
            seat._pending.append({"type": "turn", "turn": w["turn"]})
        return seat

    # --- framing (RFC 6455: client frames are masked) ---
    def _read_until(self, sep):
        while sep not in self._buf:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise Error("connection closed")
            self._buf += chunk
        head, self._buf = self._buf.split(sep, 1)
        return head

    def _read_exact(self, n):
        while len(self._buf) < n:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise Error("connection closed")
            self._buf += chunk
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def send(self, message):
        """Sends one JSON message."""
        data = json.dumps(message).encode()
        head = bytearray([0x81])
        n = len(data)
        if n < 126:
            head.append(0x80 | n)
        elif n < 65536:
            head.append(0x80 | 126)
            head += struct.pack("!H", n)
        else:
            head.append(0x80 | 127)
            head += struct.pack("!Q", n)
        mask = os.urandom(4)
        self._sock.sendall(bytes(head) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self):
        """The next JSON message from the server."""
        message = b""
        while True:
            b0, b1 = self._read_exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read_exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read_exact(8))[0]
            payload = self._read_exact(n)
            opcode = b0 & 0x0F
            if opcode == 8:
                raise Error("connection closed by the server")
            if opcode in (9, 10):  # ping, pong
                continue
            message += payload
            if b0 & 0x80:
                m = json.loads(message.decode())
                self.received.append(m)
                return m

    def _next(self):
        return self._pending.pop(0) if self._pending else self.recv()

    def act(self, action, ref="a"):
        """Submits ACTION (e.g. {"kind": "offer", "outcome": {"issue": "value"}}); returns the
        log position once committed, raises Error if refused."""
        self.send({"type": "act", "id": ref, "action": action})
        while True:
            m = self.recv()
            if m.get("id") == ref and m["type"] in ("ack", "error"):
                if m["type"] == "error":
                    raise Error(m["message"])
                return m["seq"]
            self._pending.append(m)

    def turns(self):
        """Yields each of your turns (what is in front of you) until the talks end."""
        if self.ending:
            return
        while True:
            m = self._next()
            if m["type"] == "turn":
                yield m["turn"]
            elif m["type"] == "event" and m["event"]["event"] == "end":
                self.ending = m["event"]
                return

    def close(self):
        self._sock.close()
