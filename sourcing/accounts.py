"""Account pages that need more than Django's defaults."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect

from sourcing.web import client_ip

RESET_WINDOW_SECONDS = 60 * 60
RESETS_PER_ADDRESS = 3
RESETS_PER_CLIENT = 10


def _count(key: str) -> int:
    """Increment a counter that lives for the window from its first use."""
    cache.add(key, 0, timeout=RESET_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RESET_WINDOW_SECONDS)
        return 1


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Password reset that sends at most a few e-mails per address from one client, and per client, an hour.

    Over the limit the page answers exactly as it does otherwise, so it reveals nothing about the address;
    the e-mail is simply not sent again.
    """

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        client = str(client_ip(self.request))
        # Per address *and* client: someone else cannot use up a person's own resets.
        address_key = "pwreset:addr:" + hashlib.sha256(f"{email}|{client}".encode()).hexdigest()
        client_key = "pwreset:ip:" + hashlib.sha256(client.encode()).hexdigest()
        if _count(client_key) > RESETS_PER_CLIENT or _count(address_key) > RESETS_PER_ADDRESS:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
