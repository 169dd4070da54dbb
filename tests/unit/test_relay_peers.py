"""Who the simulation relay lets through: the owner of the exact loopback connection, read from /proc/net/tcp rows."""

from __future__ import annotations

from deai_gov.chain.anvil import connection_owner

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"


def row(local: str, remote: str, state: str, uid: int) -> str:
    return f"   0: {local} {remote} {state} 00000000:00000000 00:00000000 00000000 {uid:>5}        0 1234 1 0"


RELAY = 0x9C40  # 40000
CLIENT = 0xB26E  # 45678


def test_the_owner_is_read_from_the_row_of_the_whole_connection_not_a_stale_one_with_the_same_port() -> None:
    rows = [
        # a closed connection that once used the client's port, waiting out TIME_WAIT: uid 0 on every kernel
        row("0100007F:B26E", "0100007F:1F90", "06", 0),
        # the relay's side of the live connection, owned by the relay's user
        row("0100007F:9C40", "0100007F:B26E", "01", 0),
        # the client's side: another user (nobody)
        row("0100007F:B26E", "0100007F:9C40", "01", 65534),
    ]
    assert connection_owner(rows, CLIENT, RELAY) == 65534


def test_no_row_for_the_connection_means_no_owner() -> None:
    rows = [row("0100007F:B26E", "0100007F:1F90", "01", 0), row("0100007F:B26E", "0100007F:9C40", "06", 0)]
    assert connection_owner(rows, CLIENT, RELAY) is None


def test_only_loopback_connections_count() -> None:
    outside = [row("0A00020F:B26E", "0100007F:9C40", "01", 0)]
    assert connection_owner(outside, CLIENT, RELAY) is None
    mapped = [row("0000000000000000FFFF00000100007F:B26E", "0000000000000000FFFF00000100007F:9C40", "01", 7)]
    assert connection_owner(mapped, CLIENT, RELAY) == 7
