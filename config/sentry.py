"""Error reports to Sentry, optional: only with SENTRY_DSN set and sentry-sdk installed (extra `[sentry]`).

No personal data leaves: no user, cookie or address (`send_default_pii=False`), no request body (forms hold
e-mail addresses and answers), no local variables of the stack frames. No performance tracing.
"""

import logging
import os

logger = logging.getLogger(__name__)


def init_sentry(dsn: str) -> bool:
    """Start reporting errors to `dsn`; False (and a warning when a DSN was given) if it cannot."""
    if not dsn:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError:
        logger.warning(
            "SENTRY_DSN est défini mais sentry-sdk n'est pas installé (pip install -e '.[sentry]') : "
            "les erreurs ne sont pas envoyées à Sentry."
        )
        return False
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0,
    )
    return True
