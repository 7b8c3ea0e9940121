"""The number forms live in `loket.tickets.phones`, below every interface, because the console
(phone calls) needs them too and interfaces may not import one another."""

from loket.tickets.phones import display, normalise

__all__ = ["display", "normalise"]
