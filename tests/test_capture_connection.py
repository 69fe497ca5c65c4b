"""The capture's connection state: the phrase a status line shows, and one notice per retry round."""

from __future__ import annotations

from kubectl_podlife.capture.connection import ConnectionState


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_state_reads_live_reconnecting_with_a_countdown_and_relisting():
    clock, notes = Clock(), []
    c = ConnectionState("https://10.0.0.1:6443", notes.append, clock=clock)
    assert c.describe() == "connecting"
    c.watching("pods")
    c.watching("events")
    assert c.describe() == "live"
    c.unreachable("pods", "connection refused", 4)
    c.unreachable("events", "connection refused", 4)
    assert c.describe() == "reconnecting in 4s (connection refused)"
    clock.now += 1.5
    assert c.describe() == "reconnecting in 3s (connection refused)"
    clock.now += 3
    assert c.describe() == "reconnecting now (connection refused)"
    c.reachable("pods", 5)
    c.relisting("pods")  # its watch fell out of the server's history while it was away
    assert c.describe() == "reconnecting now (connection refused)"  # events still down: that comes first
    c.reachable("events", 5)
    c.watching("events")
    assert c.describe() == "relisting pods"
    c.watching("pods")
    assert c.describe() == "live"
    # the notices: one per retry round of both streams, one when it answers again
    assert notes == ["cannot reach the API server at https://10.0.0.1:6443 (connection refused); retrying in 4s",
                     "reconnected to https://10.0.0.1:6443 after 5s; resuming from the last resourceVersion"]


def test_an_http_error_is_said_as_an_answer():
    notes = []
    c = ConnectionState("https://k", notes.append, clock=Clock())
    c.unreachable("pods", "HTTP 503 Service Unavailable", 2)
    assert c.describe() == "reconnecting in 2s (HTTP 503 Service Unavailable)"
    assert notes == ["the API server at https://k answered HTTP 503 Service Unavailable; retrying in 2s"]
