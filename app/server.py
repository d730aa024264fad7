"""``beacon serve``: one process with the REST API and the Gradio apps.

Routes, in the order they match: the API (``/v1/...``, ``/healthz``, ``/readyz``, ``/docs``),
the staff app at ``/staff`` (Knowledge, Escalations, Insights; behind a login), and the open
customer chat at ``/``. Gradio's analytics are off and share links are never made, so a launch
opens no outside connection.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from app.core.settings import Settings

log = logging.getLogger("beacon.server")
PURGE_INTERVAL_S = 24 * 3600
NO_LOGIN_MESSAGE = ("The staff tabs (Knowledge, Escalations, Insights) are closed because no staff login is set. "
                    "Set BEACON_UI_USERS=name:password (comma-separated for several) and restart `beacon serve`.")


def _quiet_gradio() -> None:
    # Before gradio is imported: no analytics, no version check, nothing leaves the machine.
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("GRADIO_TELEMETRY_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def staff_logins(settings: Settings) -> list[tuple[str, str]]:
    pairs = []
    for entry in settings.ui_users:
        user, _, password = entry.get_secret_value().partition(":")
        pairs.append((user, password))
    return pairs


def _closed_staff_app():
    import gradio as gr

    with gr.Blocks(title="Beacon staff") as blocks:
        gr.Markdown(f"## Staff tabs are closed\n\n{NO_LOGIN_MESSAGE}")
    return blocks


def create_app(settings: Settings, service=None):
    """The whole server as one ASGI app. ``service`` lets tests share loaded models."""
    _quiet_gradio()
    import gradio as gr

    from app.api import create_api
    from app.service.beacon_service import BeaconService
    from app.service.rate_limits import FailureThrottle
    from app.ui import build_chat_app, build_staff_app
    from app.ui.login_throttle import LoginThrottleMiddleware

    service = service or BeaconService(settings)
    app = create_api(service, settings)
    logins = staff_logins(settings)
    if logins:
        gr.mount_gradio_app(app, build_staff_app(service), path="/staff", auth=logins,
                            auth_message="Beacon staff: sign in with the login from BEACON_UI_USERS.")
    else:
        gr.mount_gradio_app(app, _closed_staff_app(), path="/staff")
    gr.mount_gradio_app(app, build_chat_app(service), path="/")
    app.add_middleware(LoginThrottleMiddleware, throttle=FailureThrottle(settings.auth_failures_per_minute))
    app.state.service = service
    return app


def _purge_daily(service) -> None:
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(PURGE_INTERVAL_S):
            try:
                removed = service.purge_expired()
                log.info("retention: purged %d expired conversations", removed)
            except Exception:  # a failed purge must not stop the server; the next one retries
                log.exception("retention purge failed")

    threading.Thread(target=loop, name="beacon-retention", daemon=True).start()


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    import uvicorn

    from app.service.beacon_service import BeaconService

    # The HTTP clients log every request at INFO: the server log keeps their warnings only.
    for noisy in ("httpx", "httpx2"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    service = BeaconService(settings)
    service.warm_up()  # models loaded and expired conversations purged before the first request
    app = create_app(settings, service)
    _purge_daily(service)
    if not settings.ui_users:
        log.warning(NO_LOGIN_MESSAGE)
    if not (settings.api_keys or settings.admin_api_keys or settings.api_keys_file):
        log.warning("The REST API (/v1) is closed because no API key is set: set BEACON_API_KEYS (and "
                    "BEACON_ADMIN_API_KEYS for ingest and handoffs) and restart.")

    class AnnouncingServer(uvicorn.Server):
        """Prints Beacon's address once the port listens, not before."""

        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                print(url_banner(self.config.host, self.config.port), file=sys.stderr, flush=True)

    AnnouncingServer(uvicorn.Config(app, host=host or settings.host, port=port or settings.port, log_level="info",
                                    server_header=False)).run()


def url_banner(host: str, port: int) -> str:
    return f"Beacon at http://{host}:{port}/ (staff: /staff, API docs: /docs)"
