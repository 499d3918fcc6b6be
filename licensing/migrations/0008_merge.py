# Joins the migrations of work done side by side on one schema step (0007); none of them depends on
# another, so this merge only orders them.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0007_calls_and_co_grantors"),
        ("licensing", "0007_event_corrections"),
        ("licensing", "0007_terms_and_parties"),
        ("licensing", "0007_access"),
        ("licensing", "0007_api_tokens"),
        ("licensing", "0007_names_without_invisible_characters"),
    ]

    operations = []
