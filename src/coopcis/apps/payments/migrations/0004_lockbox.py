# Lockbox files, bank deposits and the suspense queue (issue 5). Written by hand from
# makemigrations' output so that it holds only the lockbox models.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_ledger_guard"),
        ("members", "0002_initial"),
        ("payments", "0003_channel_api_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="LockboxFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sha256", models.CharField(max_length=64, unique=True)),
                ("name", models.CharField(max_length=255)),
                (
                    "format",
                    models.CharField(
                        choices=[("CSV", "Lockbox CSV"), ("BAI2", "Bank BAI2")], max_length=4
                    ),
                ),
                ("deposit_date", models.DateField(db_index=True)),
                ("item_count", models.PositiveIntegerField()),
                ("total_amount", models.DecimalField(decimal_places=2, max_digits=14)),
                ("matched_count", models.PositiveIntegerField(default=0)),
                ("suspense_count", models.PositiveIntegerField(default=0)),
                (
                    "already_count",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Items another file (a re-sent copy) had already posted",
                    ),
                ),
                ("imported_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("imported_by", models.CharField(max_length=150)),
            ],
        ),
        migrations.CreateModel(
            name="LockboxDeposit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("line", models.PositiveIntegerField()),
                ("deposit_date", models.DateField(db_index=True)),
                ("bank_account", models.CharField(blank=True, max_length=40)),
                ("reference", models.CharField(max_length=80)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                (
                    "item_count",
                    models.PositiveIntegerField(
                        help_text="Remittances in the file for this deposit (0: the bank's total only)"
                    ),
                ),
                (
                    "file",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deposits",
                        to="payments.lockboxfile",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SuspenseItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("line", models.PositiveIntegerField()),
                ("key", models.CharField(max_length=120, unique=True)),
                ("deposit_date", models.DateField(db_index=True)),
                ("batch", models.CharField(max_length=40)),
                ("item", models.CharField(max_length=40)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                (
                    "remittance_text",
                    models.CharField(help_text="Scan line or remitter text", max_length=200),
                ),
                ("check_number", models.CharField(blank=True, max_length=40)),
                ("payer_name", models.CharField(blank=True, max_length=120)),
                ("reason", models.CharField(max_length=200)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("OPEN", "Open"),
                            ("RESOLVED", "Applied to a member"),
                            ("REFUNDED", "Refunded to the remitter"),
                        ],
                        default="OPEN",
                        max_length=8,
                    ),
                ),
                ("resolved_by", models.CharField(blank=True, max_length=150)),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                ("note", models.CharField(blank=True, max_length=300)),
                (
                    "file",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="suspense",
                        to="payments.lockboxfile",
                    ),
                ),
                (
                    "journal_entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="suspense_item",
                        to="ledger.journalentry",
                    ),
                ),
                (
                    "payment",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="suspense_item",
                        to="payments.payment",
                    ),
                ),
                (
                    "refund_entry",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refunded_suspense_item",
                        to="ledger.journalentry",
                    ),
                ),
                (
                    "resolved_account",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="suspense_items",
                        to="members.account",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="suspenseitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="suspense_amount_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="suspenseitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "RESOLVED"), _negated=True),
                    ("payment__isnull", False),
                    _connector="OR",
                ),
                name="suspense_resolved_has_payment",
            ),
        ),
    ]
