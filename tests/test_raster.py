"""Probability pictures: the palette's colours, and PNGs any decoder reads back."""

import base64
import struct
import zlib

import numpy as np

from dashboard import raster


def decode_png(url: str) -> np.ndarray:
    """(rows, cols, 4) bytes of an unfiltered 8-bit RGBA PNG data URL, read chunk by chunk."""
    data = base64.b64decode(url.removeprefix("data:image/png;base64,"))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (checksum,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert checksum == zlib.crc32(kind + body)
        chunks[kind], at = body, at + 12 + length
    cols, rows, depth, color_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color_type) == (8, 6) and b"IEND" in chunks
    lines = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(rows, 1 + cols * 4)
    assert (lines[:, 0] == 0).all()  # no filter on any row
    return lines[:, 1:].reshape(rows, cols, 4)


def test_probabilities_take_the_palettes_colours_linearly_between_its_stops():
    probabilities = np.array([[0.0, 0.05, 0.5], [0.95, 1.0, 0.25]])
    expected = np.array(
        [
            [[0x05, 0x30, 0x61], [19, 75, 134.5], [0xF7, 0xF7, 0xF7]],  # 1st, 1st–2nd, 6th stop
            [[140.5, 12, 37], [0x67, 0x00, 0x1F], [106.5, 172, 208.5]],  # 10th–11th, 11th, 3rd–4th
        ]
    )  # halfway between #053061 and #2166ac, #b2182b and #67001f, #4393c3 and #92c5de
    colors = raster.colorize(probabilities)
    assert np.all(np.abs(colors[..., :3] - expected) <= 0.5)  # rounded to whole bytes
    assert (colors[..., 3] == 255).all()


def test_a_picture_decodes_to_its_pixels_top_row_first():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(raster.png_data_url(pixels)), pixels)
