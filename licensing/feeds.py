"""Atom feeds of lifecycle changes: the whole registry's (/feeds/changes.atom) and one license's
(/licenses/<number>/feed.atom). An entry is one public event (licensing.history), dated (`updated`) when
the registry recorded it; the day it took effect (as last corrected) is in its title, and its summary
says both where it was recorded late. A correction is an entry of its own, naming what it corrects.
Drafts have no feed (404)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import access, history
from .choices import EventAction
from .display import long_date
from .models import License

FEED_ENTRIES = 50


class ChangesFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Public-data operating licenses: lifecycle changes")

    def subtitle(self):
        return _("Every listing, grant, suspension, renewal and ending of a public-data operating license.")

    def link(self):
        return reverse("licensing:home")

    def author_name(self):
        return _("Public-Data Operating License Registry")

    def items(self):
        return history.latest_recorded(FEED_ENTRIES)

    def item_title(self, event):
        return _("%(number)s %(heading)s (%(day)s): %(title)s") % {
            "number": event.license.number,
            "heading": history.heading(event),
            "day": long_date(event.effective_on),
            "title": event.license.title,
        }

    def item_description(self, event):
        lines = []
        if event.action == EventAction.CORRECT:
            lines.append(history.correction_summary(event))
        recorded = history.recorded_on(event)
        if recorded is not None:
            lines.append(
                _("%(heading)s %(day)s, recorded %(recorded)s.")
                % {
                    "heading": history.heading(event),
                    "day": long_date(event.effective_on),
                    "recorded": long_date(recorded),
                }
            )
        if event.reason:
            lines.append(event.reason)
        return "\n".join(str(line) for line in lines) or None

    def item_author_name(self, event):
        # Who acted, as the public may read it: the authority, never a login name.
        return history.public_actor(event)

    def item_link(self, event):
        return reverse("licensing:license", args=[event.license.number]) + f"#event-{event.pk}"

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.created_at


class LicenseFeed(ChangesFeed):
    def get_object(self, request, number):
        return get_object_or_404(access.public_licenses(), number=number)

    def title(self, license):
        return _("License %(number)s: lifecycle changes") % {"number": license.number}

    def subtitle(self, license):
        return license.title

    def link(self, license):
        return reverse("licensing:license", args=[license.number])

    def items(self, license):
        return history.latest_recorded(FEED_ENTRIES, License.objects.filter(pk=license.pk))
