import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnichannel.settings")
django_application = get_wsgi_application()

from omnichannel.api.fastpath import FastReadPath  # noqa: E402  (needs the apps loaded)

# Availability reads with an API key skip Django's request cycle; everything else is Django's.
application = FastReadPath(django_application)
