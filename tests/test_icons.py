"""The installed app's icons are the brand icon (app/static/icon.svg) drawn at each size,
and the maskable one is a file of its own: the same drawing on a square filled to its edges,
the circle inside the safe zone (a circle of 80 % of the width), since a launcher may cut any
shape out of it.

After changing icon.svg: `.venv/bin/python -m tests.test_icons` draws the PNGs again."""

import json
import struct
import zlib
from pathlib import Path

import resvg_py

STATIC = Path(__file__).resolve().parents[1] / "app/static"
BACKGROUND = '<rect width="512" height="512" rx="96" fill="#1f4e79"/>'
SAFE_ZONE = 0.8


def maskable_svg(brand: str) -> str:
    """The brand's drawing on a background to every edge (no rounded corners)."""
    assert BACKGROUND in brand, "icon.svg's background changed: update maskable_svg"
    return brand.replace(BACKGROUND, BACKGROUND.replace(' rx="96"', ""))


def drawings() -> dict[str, bytes]:
    brand = (STATIC / "icon.svg").read_text()
    return {
        "icon-192.png": bytes(resvg_py.svg_to_bytes(svg_string=brand, width=192, height=192)),
        "icon-512.png": bytes(resvg_py.svg_to_bytes(svg_string=brand, width=512, height=512)),
        "icon-maskable-512.png": bytes(
            resvg_py.svg_to_bytes(svg_string=maskable_svg(brand), width=512, height=512)
        ),
    }


def _chunks(png: bytes) -> tuple[bytes, bytes]:
    """A PNG's header (size, depth, colour) and its image data, inflated (still filtered)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, header, data = 8, b"", b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind, body = png[position + 4 : position + 8], png[position + 8 : position + 8 + length]
        header = body if kind == b"IHDR" else header
        data += body if kind == b"IDAT" else b""
        position += 12 + length
    return header, zlib.decompress(data)


def _rgba(png: bytes) -> list[bytes]:
    """The rows of an 8-bit RGBA PNG's pixels (small ones: this is plain Python)."""
    header, raw = _chunks(png)
    width, _height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) == (8, 6), "not 8-bit RGBA"
    stride, rows, previous = width * 4, [], bytes(width * 4)
    for start in range(0, len(raw), stride + 1):
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left, up = line[x - 4] if x >= 4 else 0, previous[x]
            corner = previous[x - 4] if x >= 4 else 0
            estimate = left + up - corner
            paeth = min((abs(estimate - v), i, v) for i, v in enumerate((left, up, corner)))[2]
            line[x] = (line[x] + (0, left, up, (left + up) // 2, paeth)[kind]) & 0xFF
        rows.append(bytes(line))
        previous = bytes(line)
    return rows


def test_each_png_icon_is_the_brand_icon_drawn_at_its_size() -> None:
    for name, drawn in drawings().items():
        assert _chunks((STATIC / name).read_bytes()) == _chunks(drawn), (
            f"app/static/{name} is not icon.svg as drawn now: run python -m tests.test_icons"
        )


def test_the_maskable_icon_fills_its_square_and_keeps_the_circle_in_the_safe_zone() -> None:
    size = 64
    drawn = resvg_py.svg_to_bytes(
        svg_string=maskable_svg((STATIC / "icon.svg").read_text()), width=size, height=size
    )
    rows = _rgba(bytes(drawn))
    background = rows[0][:4]
    assert background[3] == rows[-1][-1] == 255  # opaque to every corner
    marked = [
        (x, y)
        for y, row in enumerate(rows)
        for x in range(size)
        if row[x * 4 : x * 4 + 4] != background
    ]
    middle = (size - 1) / 2
    assert (
        marked
        and max(((x - middle) ** 2 + (y - middle) ** 2) ** 0.5 for x, y in marked)
        <= SAFE_ZONE * size / 2
    )
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text())
    purposes = {icon["src"]: icon.get("purpose", "any") for icon in manifest["icons"]}
    assert purposes["/static/icon-maskable-512.png"] == "maskable"
    assert all(purpose == "any" for src, purpose in purposes.items() if "maskable" not in src)


if __name__ == "__main__":
    for file_name, drawing in drawings().items():
        (STATIC / file_name).write_bytes(drawing)
        print(f"wrote app/static/{file_name}")
