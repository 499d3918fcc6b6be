from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0011_alerts"),
        ("licensing", "0011_webhooks"),
    ]

    operations = []
