from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from licensing.models import Authority, Regulator

SUPERUSER = ("admin", "admin-demo-password")
REGULATOR = ("hangzhou-regulator", "regulator-demo-password")
REGULATOR_AUTHORITY = "330100"  # Hangzhou Data Resources Administration, loaded by load_demo
REGULATORS_GROUP = "Regulators"
# The basic admin lets regulators read everything and keep operators up to date; their scoped powers
# over licenses come with the regulators' admin.
REGULATOR_PERMISSIONS = [
    "view_license",
    "view_licenseevent",
    "view_authority",
    "view_operator",
    "add_operator",
    "change_operator",
    "view_regulator",
]


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo logins: a superuser and a regulator of the Hangzhou authority. "
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

        group, _ = Group.objects.get_or_create(name=REGULATORS_GROUP)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="licensing", codename__in=REGULATOR_PERMISSIONS)
        )
        regulator, _ = User.objects.get_or_create(username=REGULATOR[0])
        regulator.is_staff = regulator.is_active = True
        regulator.is_superuser = False
        regulator.first_name = "Demo regulator"
        regulator.set_password(REGULATOR[1])
        regulator.save()
        regulator.groups.add(group)
        Regulator.objects.update_or_create(
            user=regulator,
            defaults={"authority": authority, "contact_email": "regulator@hangzhou-example.test"},
        )

        self.stdout.write("Demo logins (passwords reset on every run):")
        self.stdout.write(f"  superuser:  {SUPERUSER[0]} / {SUPERUSER[1]}")
        self.stdout.write(
            f"  regulator:  {REGULATOR[0]} / {REGULATOR[1]}  ({authority.name}, {authority.division_code})"
        )
