import socket

import pytest

from conftest import NetworkBlocked


def test_socket_connection_fails_the_test():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9))
    sock = socket.socket()
    try:
        with pytest.raises(NetworkBlocked):
            sock.connect(("127.0.0.1", 9))
    finally:
        sock.close()
