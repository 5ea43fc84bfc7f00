"""E-mail text. Subjects are plain text: rendered without HTML escaping (a supplier called "Smith & Sons"
must not arrive as "Smith &amp; Sons"), on one line."""

from __future__ import annotations

from typing import Any

from django.template import Context, engines


def render_subject(template_name: str, context: dict[str, Any]) -> str:
    """The subject template rendered as plain text, whitespace folded onto one line (a header cannot hold a
    line break)."""
    template = engines["django"].engine.get_template(template_name)  # type: ignore[attr-defined]
    text = template.render(Context(context, autoescape=False))
    return " ".join(text.split())
