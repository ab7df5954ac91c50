import os

from django.core.wsgi import get_wsgi_application

from patron.core import serving

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
application = get_wsgi_application()

# Everything loaded so far lives as long as the process: freeze it, and collect garbage
# between requests rather than during them (patron/core/serving.py says why and what it costs).
serving.prepare_to_serve()
