"""What members owe, item by item: bills, fees, deposits billed, loan installments."""
