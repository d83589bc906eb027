from typing import Any

from django.apps import AppConfig


def _stamp_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    import time

    from taut.access.middleware import SESSION_LOGIN_AT, SESSION_SEEN

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_AT] = request.session[SESSION_SEEN] = time.time()


class AccessConfig(AppConfig):
    name = "taut.access"
    label = "access"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_stamp_login, dispatch_uid="taut-login-at")
