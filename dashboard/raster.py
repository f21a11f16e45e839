"""A grid of probabilities as a picture: a PNG that a chart stretches over the input plane.

Drawn as 50 × 50 rectangles, a decision boundary cost the browser about 0.5 s of CPU per
chart (Chrome's profiler, the Train page on a 2-core machine); one image costs next to
nothing, and the browser's smoothing shows the probability as the continuous function it is.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

# P(label 1) from 0 to 1: ColorBrewer's RdBu from blue to red, linearly interpolated
# between evenly spaced stops (the boundary charts' legend draws the same)
PROBABILITY_STOPS = (
    "#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7",
    "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f",
)  # fmt: skip
PROBABILITY_AT = np.linspace(0.0, 1.0, len(PROBABILITY_STOPS))  # where each stop sits
STOP_RGB = np.array(
    [[int(hex_rgb[i : i + 2], 16) for i in (1, 3, 5)] for hex_rgb in PROBABILITY_STOPS]
)


def colorize(probability: np.ndarray) -> np.ndarray:
    """Probabilities in [0, 1], (rows, cols), as opaque RGBA bytes (rows, cols, 4)."""
    channels = [np.interp(probability, PROBABILITY_AT, STOP_RGB[:, c]) for c in range(3)]
    channels.append(np.full(probability.shape, 255.0))
    return np.round(np.stack(channels, axis=-1)).astype(np.uint8)


def png_data_url(rgba: np.ndarray) -> str:
    """An RGBA image (rows, cols, 4) of bytes, top row first, as a data: URL of a PNG."""
    rows, cols, _ = rgba.shape
    scanlines = b"".join(b"\x00" + row.tobytes() for row in rgba)  # each row: filter 0, pixels

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", cols, rows, 8, 6, 0, 0, 0)  # 8 bits per channel, RGBA
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(scanlines))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
