"""Test settings: fast hashing, strict templates, same database choice as `DATABASE_URL`."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "INVALID TEMPLATE VARIABLE %s"  # noqa: F405
SITE_URL = "https://maillage.test"
SITE_URL_CONFIGURED = True
# Tests that check the limits turn them on.
API_RATE_LIMIT_PER_MINUTE = 0
EXPORT_RATE_LIMIT_PER_MINUTE = 0
ERROR_REPORT_RATE_LIMIT_PER_MINUTE = 0
LOGIN_RATE_LIMIT_PER_MINUTE = 0
# The bulk of the tests count in this process's memory; the tests of shared state start servers with the
# real shared cache (tests/ops/test_shared_cache.py, tests/ops/test_nodes.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"}}  # fmt: skip
# No page served from the cache of whole pages, except in its own tests (tests/www/test_page_cache.py).
PAGE_CACHE_SECONDS = 0
# Nor what the search worked out shared between processes, except in its own tests (tests/search/test_shared.py).
SEARCH_SHARED_SECONDS = 0
# No page asked for at start (`maillage/warm_pages.py`), except in its own tests (tests/ops/test_warm_pages.py).
WARM_PAGES = False
# Tasks run as soon as they are enqueued (on commit); the worker's tests switch to the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}}  # noqa: F405
# Tasks run at once here: no plaquette is prebuilt after each refresh, except in the tests of the prebuild.
PUBLICATIONS_PREBUILD = False
