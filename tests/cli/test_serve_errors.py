"""`kesu serve` answers JSON in the API's error shape even where gunicorn answers by itself,
before Django sees the request (an over-long request line, too many headers). Against a real
server in its own process, on a port of this suite's range, bounded in time."""

from __future__ import annotations

import json
import socket

import pytest

from tests.cli.serving import kesu_serve

PORTS = range(8121, 8140)  # the ports this test may use


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8121-8139")


def _exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer (the server closes), parse status, headers, body.
    A reset can lose the answer when the server closes before reading all we sent: try again."""
    for _attempt in range(3):
        answer = _send(port, raw)
        if answer:
            break
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


def _send(port: int, raw: bytes) -> bytes:
    chunks = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(raw)
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:  # the server answered and closed before reading everything
            pass
    return b"".join(chunks)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with kesu_serve(tmp_path_factory.mktemp("serve"), _free_port()) as process:
        yield int(process.args[process.args.index("--port") + 1])


def _assert_json_error(headers: dict[str, str], body: bytes) -> dict:
    assert headers["content-type"].startswith("application/json"), headers
    parsed = json.loads(body)
    assert parsed["detail"] and parsed["errors"] == {}
    return parsed


def test_an_over_long_request_line_is_a_json_400(server):
    status, headers, body = _exchange(
        server, b"GET /api/v1/complaints?q=" + b"x" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )

    assert status == 400
    _assert_json_error(headers, body)


def test_too_many_headers_are_a_json_error(server):
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(200))
    status, headers, body = _exchange(
        server, b"GET /api/v1/reference HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"\r\n"
    )

    assert status in {400, 431}
    _assert_json_error(headers, body)


def test_an_unknown_api_path_is_a_json_404_through_the_server(server):
    status, headers, body = _exchange(
        server, b"GET /api/v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )

    assert status == 404
    _assert_json_error(headers, body)
