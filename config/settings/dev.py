"""Local development: debug on, a throwaway secret, mails on the console."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# runserver prints its own line per request: the JSON request log only when asked (REQUEST_LOG_LEVEL=INFO).
LOGGING["loggers"]["maillage.requests"]["level"] = os.environ.get("REQUEST_LOG_LEVEL", "WARNING")  # noqa: F405
