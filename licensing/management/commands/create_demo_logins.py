from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from licensing.access import AUDITORS_GROUP
from licensing.models import Authority, Regulator

SUPERUSER = ("admin", "admin-demo-password")
REGULATOR = ("hangzhou-regulator", "regulator-demo-password")
AUDITOR = ("auditor", "auditor-demo-password")
REGULATOR_AUTHORITY = "330100"  # Hangzhou Data Resources Administration, loaded by load_demo


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo logins: a superuser, a regulator of the Hangzhou authority and an "
        "auditor. "
        "For local use only: refused when DJANGO_DEBUG is off, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Create them even with debug off.")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo logins have known passwords: refused with DJANGO_DEBUG off (use --force)."
            )
        authority = Authority.objects.filter(division_code=REGULATOR_AUTHORITY).order_by("pk").first()
        if authority is None:
            raise CommandError(
                "Load the demo data first (manage.py load_demo): the regulator needs its authority."
            )
        User = get_user_model()

        admin, _ = User.objects.get_or_create(username=SUPERUSER[0])
        admin.is_staff = admin.is_superuser = admin.is_active = True
        admin.set_password(SUPERUSER[1])
        admin.save()

        # What each may do follows from the role (licensing.access), not from permission rows.
        regulator = self._staff(User, REGULATOR, first_name="Demo regulator")
        Regulator.objects.update_or_create(
            user=regulator,
            defaults={"authority": authority, "contact_email": "regulator@hangzhou-example.test"},
        )
        auditor = self._staff(User, AUDITOR, first_name="Demo auditor")
        auditor.groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])

        self.stdout.write("Demo logins (passwords reset on every run):")
        self.stdout.write(f"  superuser:  {SUPERUSER[0]} / {SUPERUSER[1]}")
        self.stdout.write(
            f"  regulator:  {REGULATOR[0]} / {REGULATOR[1]}  ({authority.name}, {authority.division_code})"
        )
        self.stdout.write(f"  auditor:    {AUDITOR[0]} / {AUDITOR[1]}  (sees everything, changes nothing)")

    @staticmethod
    def _staff(User, login, *, first_name):
        user, _ = User.objects.get_or_create(username=login[0])
        user.is_staff = user.is_active = True
        user.is_superuser = False
        user.first_name = first_name
        user.set_password(login[1])
        user.save()
        return user
