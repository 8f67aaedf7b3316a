"""Seeds derived from names and numbers, the same on every machine and run (never Python's hash())."""

import hashlib


def stable_seed(*parts: object) -> int:
    """A seed in [0, 2**31) from the parts: small enough for every generator we feed (torch, numpy)."""
    digest = hashlib.blake2b("\x1f".join(str(part) for part in parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF
