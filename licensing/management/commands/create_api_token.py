"""manage.py create_api_token USER --name NAME [--days N]: a new API token for USER, printed once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from licensing import tokens


class Command(BaseCommand):
    help = "Make an API token for a user and print it. Only its digest is stored: copy it now."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. a script.")
        parser.add_argument("--days", type=int, help="Days until it expires (default: API_TOKEN_DAYS).")

    def handle(self, *args, username, name, days, **options):
        if days is not None and not 1 <= days <= tokens.MAX_DAYS:
            raise CommandError(f"--days must be from 1 to {tokens.MAX_DAYS}.")
        if not name.strip() or len(name) > 100:
            raise CommandError("--name must be 1 to 100 characters.")
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        token, raw = tokens.create_token(user, name.strip(), days)
        self.stderr.write(
            f"Token {token.name!r} for {username}, expires {token.expires_at:%Y-%m-%d %H:%M %Z}:"
        )
        self.stdout.write(raw)
