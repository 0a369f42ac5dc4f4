import socket
from pathlib import Path

from hoptac.platform.embedded.ports import LOOPBACK, LOWEST_CHOSEN, free_port, port_is_free


def range_file(tmp_path: Path, start: int, end: int) -> Path:
    path = tmp_path / "ip_local_port_range"
    path.write_text(f"{start}\t{end}\n")
    return path


def test_free_port_is_below_the_range_outgoing_connections_use(tmp_path: Path) -> None:
    ports = {free_port(range_file=range_file(tmp_path, 32768, 60999)) for _ in range(50)}
    assert all(LOWEST_CHOSEN <= port < 32768 for port in ports)
    assert len(ports) == 50, "a port is never handed out twice"
    assert all(port_is_free(port) for port in ports)


def test_free_port_skips_a_port_with_a_listener(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((LOOPBACK, LOWEST_CHOSEN))
        listener.listen()
        narrow = range_file(tmp_path, LOWEST_CHOSEN + 2, 60999)
        chosen = [free_port(range_file=narrow) for _ in range(3)]
    assert LOWEST_CHOSEN not in chosen


def test_free_port_falls_back_to_the_kernel_when_no_port_is_below_its_range(
    tmp_path: Path,
) -> None:
    assert free_port(range_file=range_file(tmp_path, 1024, 65535)) >= 1024
    assert free_port(range_file=tmp_path / "absent") < 32768
