"""Reading a PNG the way a person sees it: the pixels (8-bit RGBA, not interlaced: what
resvg writes), decoded here so that a test can look at the picture itself."""

import struct
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    rows: list[bytes]  # RGBA, four bytes a pixel

    def grey(self, x: float, y: float) -> float:
        """The pixel's lightness, 0 (black) to 1 (white), as it shows on white paper."""
        row, at = self.rows[round(y)], 4 * round(x)
        red, green, blue, alpha = row[at : at + 4]
        seen = (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255
        return seen * alpha / 255 + (1 - alpha / 255)


def _unfilter(kind: int, line: bytearray, above: bytes, step: int) -> None:
    for i in range(len(line)):
        left = line[i - step] if i >= step else 0
        up = above[i]
        corner = above[i - step] if i >= step else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            guess = left + up - corner
            near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up))
            near = min(near, (abs(guess - corner), 2, corner))
            line[i] = (line[i] + near[2]) & 0xFF


def decode(data: bytes, rows: int | None = None) -> Picture:
    """The picture, or only its first `rows` rows (each row is read after the one above it:
    a test looking near the top needs no more)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", data[16:29])
    assert (depth, colour, interlace) == (8, 6, 0), "8-bit RGBA, not interlaced"
    at, packed = 8, b""
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        if kind == b"IDAT":
            packed += data[at + 8 : at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(packed)
    stride, lines, above = 4 * width, [], bytes(4 * width)
    for y in range(min(height, rows or height)):
        start = y * (stride + 1)
        line = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(raw[start], line, above, 4)
        lines.append(bytes(line))
        above = lines[-1]
    return Picture(width, height, lines)
