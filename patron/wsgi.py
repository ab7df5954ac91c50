import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their URL and serializer tables) lives as long
# as the process: freezing it keeps the garbage collector from walking it again on every
# full collection, which cost 60-80 ms of CPU about once every 20 requests at 1M customers.
gc.collect()
gc.freeze()
