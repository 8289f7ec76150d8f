import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
application = get_wsgi_application()

# Servers import this module once before serving (gunicorn's master, with preload_app, before it forks its
# workers): the search's facet index is loaded here rather than by the first search, and `/sante/pret`
# answers ready once it is. Management commands never import this module.
from maillage.health import warm_up  # noqa: E402

warm_up()

# What the master loaded is kept out of the garbage collector's sweeps: they would write to every object's header
# and so copy, in each worker, the memory pages it shares with the master (copy-on-write).
gc.freeze()
