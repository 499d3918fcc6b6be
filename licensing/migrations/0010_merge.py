from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0009_disclosures"),
        ("licensing", "0009_imports"),
        ("licensing", "0009_registrations"),
    ]

    operations = []
