from django.dispatch import Signal

# A message could not be delivered and will not be retried (e.g. an invalid phone number): kwarg `notification`.
notification_failed = Signal()
