"""Shaping caseload pages: an invitation's link as a QR code to show on the spot."""

import segno
from markupsafe import Markup

from app.core.i18n import gettext


def qr_code(link: str) -> Markup:
    """The link as an inline SVG QR code (drawn here, no outside service sees the link),
    sized by CSS through its viewBox, with a text alternative."""
    code = segno.make(link, error="m")
    svg = code.svg_inline(
        scale=1,
        border=4,
        omitsize=True,
        svgclass="qr",
        lineclass="qr-line",
        title=gettext("QR code of the invitation link"),
    )
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))
