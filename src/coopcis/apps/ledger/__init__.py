"""The general ledger: journal entries on the RUS chart, enforced balanced and append-only."""
