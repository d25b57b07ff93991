"""bunq_helpers: the bunq API handshake, one showable step at a time."""

__version__ = "0.1.0"
