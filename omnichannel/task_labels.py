"""The task worker's (django-q2) admin labels, in our catalogue: django-q2 ships no Italian, and head office's
admin should not mix "Failed tasks" into Italian pages. Never imported: `makemessages` reads the strings here,
and Django looks them up in our catalogue (LOCALE_PATHS) when django-q2's admin asks for them."""

from django.utils.translation import gettext_noop

LABELS = [
    gettext_noop("Task"),
    gettext_noop("Tasks"),
    gettext_noop("Successful task"),
    gettext_noop("Successful tasks"),
    gettext_noop("Failed task"),
    gettext_noop("Failed tasks"),
    gettext_noop("Scheduled task"),
    gettext_noop("Scheduled tasks"),
    gettext_noop("Queued task"),
    gettext_noop("Queued tasks"),
    gettext_noop("Function"),
    gettext_noop("Started at"),
    gettext_noop("Stopped at"),
    gettext_noop("Success"),
    gettext_noop("Result"),
    gettext_noop("Group"),
    gettext_noop("Attempt count"),
    gettext_noop("Time Taken"),
    gettext_noop("Short result"),
    gettext_noop("Resubmit selected tasks to queue"),
    gettext_noop("Next Run"),
    gettext_noop("Schedule Type"),
    gettext_noop("Minutes"),
    gettext_noop("Arguments"),
    gettext_noop("Keyword arguments"),
]
