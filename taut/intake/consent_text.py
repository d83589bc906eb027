"""The consent as the client reads, signs and the clinic stores it: one rendered text.

The rendering lives with the consent texts (taut.clients.consent) so the clinic's own consent
pages and the intake show it through the same function and the same template.
"""

from __future__ import annotations

from taut.clients.consent import Block, RenderedConsent, render, render_body, text_of

__all__ = ["Block", "RenderedConsent", "render", "render_body", "text_of"]
