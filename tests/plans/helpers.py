"""What the recovery plan tests share: a tiny real PNG and a signed plan made quickly."""

from __future__ import annotations

import base64
import struct
import zlib

from coachapp.plans import services


def png_bytes(width: int = 4, height: int = 2) -> bytes:
    """A real (tiny, white) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff" * (3 * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def png_url(data: bytes | None = None) -> str:
    return "data:image/png;base64," + base64.b64encode(data or png_bytes()).decode()


def signed_plan(client, coach, **content):
    """A plan version of ``client`` signed by both (typed), with ``content``."""
    plan = services.start_plan(client, content or None, actor=coach)
    services.sign_plan(plan, signer="client", typed_name="Jordan R", attested=True, actor=coach)
    services.sign_plan(plan, signer="coach", typed_name=coach.name, attested=True, actor=coach)
    return plan
