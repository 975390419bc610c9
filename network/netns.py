"""Two sides in Linux network namespaces, joined by one p2p link that can be cut and healed.

For the partition test (tests/network/test_partition.py): side A's validators run in one
namespace, side B's in another. They reach each other over one veth pair (the p2p link, `P2P_NET`),
the validators of one side each other over their namespace's loopback, and the host reaches every
node's JSON-RPC over a management veth of its own (`MGMT_NETS`), which a cut leaves up, so that
both sides can be watched while they cannot see each other. Cutting sets side A's end of the p2p
link down: A's routes to B go, and B's end loses its carrier. Every address is in the namespaces
this module makes; nothing is routed off the machine.

Needs root (CAP_NET_ADMIN) and the `ip` tool; `available()` says whether both are there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from network.errors import NetworkError

P2P_NET = ("10.14.0.1", "10.14.0.2", 30)  # side A's and side B's ends of the p2p link
MGMT_NETS = (("10.14.1.1", "10.14.1.2"), ("10.14.2.1", "10.14.2.2"))  # (host end, namespace end) per side


class NetnsError(NetworkError):
    """Raised when a namespace or link cannot be made or changed (not root, no `ip`)."""


def _ip(*args: str, netns: str | None = None) -> None:
    command = (["ip", "netns", "exec", netns] if netns else []) + ["ip", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise NetnsError(f"`{' '.join(command)}` failed: {result.stderr.strip() or result.returncode}")


def available() -> str | None:
    """None when network namespaces can be made here; else why not."""
    if shutil.which("ip") is None:
        return "no `ip` tool (iproute2)"
    if os.geteuid() != 0:
        return "not root: network namespaces need CAP_NET_ADMIN"
    probe = f"ledger-probe-{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except NetnsError as exc:
        return str(exc)
    _ip("netns", "delete", probe)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _partition_namespaces() -> dict[int, list[str]]:
    """The namespaces of partitions on this host, by the pid that made them."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=30).stdout
    found: dict[int, list[str]] = {}
    for line in listed.splitlines():
        match = re.fullmatch(r"(" + PREFIX + r"(\d+)[ab])(?:\s.*)?", line.strip())
        if match:
            found.setdefault(int(match.group(2)), []).append(match.group(1))
    return found


PREFIX = "gv"  # a partition's namespaces: gv<pid>a, gv<pid>b (interface names stay under 16 bytes)


@dataclass
class Partition:
    """Two namespaces, `sides[0]` (A) and `sides[1]` (B), made by `create` and removed by `delete`.
    One partition per host at a time: its addresses are fixed (`P2P_NET`, `MGMT_NETS`)."""

    prefix: str

    @classmethod
    def of_this_process(cls) -> "Partition":
        return cls(f"{PREFIX}{os.getpid()}")

    @property
    def sides(self) -> tuple[str, str]:
        return (f"{self.prefix}a", f"{self.prefix}b")

    @property
    def p2p_link(self) -> tuple[str, str]:
        return (f"{self.prefix}pa", f"{self.prefix}pb")

    def p2p_address(self, side: int) -> str:
        return P2P_NET[side]

    def rpc_address(self, side: int) -> str:
        return MGMT_NETS[side][1]

    def create(self) -> "Partition":
        """Make the namespaces and links. A partition left by a process that died (a killed test
        run) is removed first, as its host-side addresses would shadow these; one whose process
        still runs is refused, naming it."""
        for pid, namespaces in _partition_namespaces().items():
            if pid == os.getpid() or not _alive(pid):
                for namespace in namespaces:
                    subprocess.run(["ip", "netns", "delete", namespace], capture_output=True, timeout=30)
            else:
                raise NetnsError(
                    f"another partition ({', '.join(namespaces)}) of running process {pid} holds its addresses"
                )
        a, b = self.sides
        pa, pb = self.p2p_link
        for side in self.sides:
            _ip("netns", "add", side)
            _ip("link", "set", "lo", "up", netns=side)
        _ip("link", "add", pa, "netns", a, "type", "veth", "peer", "name", pb, "netns", b)
        for index, (side, dev) in enumerate(zip(self.sides, self.p2p_link)):
            _ip("addr", "add", f"{P2P_NET[index]}/{P2P_NET[2]}", "dev", dev, netns=side)
            _ip("link", "set", dev, "up", netns=side)
        for index, side in enumerate(self.sides):
            host_end, ns_end = MGMT_NETS[index]
            host_dev, ns_dev = f"{self.prefix}h{index}", f"{self.prefix}m{index}"
            _ip("link", "add", host_dev, "type", "veth", "peer", "name", ns_dev, "netns", side)
            _ip("addr", "add", f"{host_end}/30", "dev", host_dev)
            _ip("link", "set", host_dev, "up")
            _ip("addr", "add", f"{ns_end}/30", "dev", ns_dev, netns=side)
            _ip("link", "set", ns_dev, "up", netns=side)
        return self

    def cut(self) -> None:
        """Cut the p2p link: side A's end down (B's end loses its carrier)."""
        _ip("link", "set", self.p2p_link[0], "down", netns=self.sides[0])

    def heal(self) -> None:
        _ip("link", "set", self.p2p_link[0], "up", netns=self.sides[0])

    def delete(self) -> None:
        """Remove both namespaces (their veths go with them, and the host ends with their peers)."""
        for side in self.sides:
            subprocess.run(["ip", "netns", "delete", side], capture_output=True, timeout=30)
