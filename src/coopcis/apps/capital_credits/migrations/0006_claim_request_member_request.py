# A ClaimRequest is a members.requests.MemberRequest: when staff answered it is decided_on
# (the column answered_on renamed, its dates kept) and who answered it decided_by.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("capital_credits", "0005_claim_requests"),
    ]

    operations = [
        migrations.RenameField(
            model_name="claimrequest",
            old_name="answered_on",
            new_name="decided_on",
        ),
        migrations.AddField(
            model_name="claimrequest",
            name="decided_by",
            field=models.CharField(blank=True, default="", max_length=150),
            preserve_default=False,
        ),
    ]
