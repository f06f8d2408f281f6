import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="batch",
            name="changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
    ]
