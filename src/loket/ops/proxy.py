"""The client's address behind reverse proxies, from a header like X-Forwarded-For. Pure: no
Django.

Each proxy appends the address it received the request from, so only the right-hand end of the
header was written by proxies we run; everything to its left came from the client and may be
forged. The client is therefore the right-most address not written by a trusted proxy:

- a count N (the number of proxies in front of Loket): the N-th address from the right;
- a list of proxy addresses or networks: walking from the connection's own address leftwards,
  the first address that is not one of them (and nothing at all unless the connection itself
  comes from a trusted proxy).
"""

import ipaddress

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network
type TrustedProxies = int | tuple[Network, ...]


def parse_trusted_proxies(text: str) -> TrustedProxies:
    """`2` or `10.0.0.0/8, 192.0.2.7`; a mistyped entry raises ValueError at start-up."""
    text = text.strip()
    if text.isdigit():
        if int(text) < 1:
            raise ValueError("LOKET_TRUSTED_PROXIES: a count must be at least 1")
        return int(text)
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    if not entries:
        raise ValueError("LOKET_TRUSTED_PROXIES: give a count or proxy addresses")
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def canonical(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(forwarded_for: str, remote_addr: str, trusted: TrustedProxies) -> str | None:
    """The client's address, or None when the header cannot be believed (leave REMOTE_ADDR)."""
    chain = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if isinstance(trusted, int):
        return canonical(chain[-trusted]) if len(chain) >= trusted else None
    if not is_trusted(remote_addr, trusted):
        return None
    for entry in reversed(chain):
        address = canonical(entry)
        if address is None:
            return None
        if not is_trusted(address, trusted):
            return address
    # Every hop is one of ours: the left-most is as close to the client as we can tell.
    return canonical(chain[0]) if chain else None


def is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in trusted)
