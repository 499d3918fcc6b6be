"""The QR code of a license's permanent address (its public page, as SITE_URL gives it): on the page and
on its printed record, so that a paper copy leads back to the live record."""

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(address: str, label: str) -> SafeString:
    """`address` as a QR code in SVG markup, to put in a page as it is: no inline style (the page's
    Content-Security-Policy allows none), sized by the stylesheet, named by `label` for screen readers."""
    out = io.BytesIO()
    segno.make(address, error="m").save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,
        svgclass="qr-code",
        lineclass=None,
        title=label,
        border=2,
    )
    # segno writes the markup itself (the address is the only text, XML-escaped by segno).
    return mark_safe(out.getvalue().decode().replace("<svg ", '<svg role="img" ', 1))  # noqa: S308
