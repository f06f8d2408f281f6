"""NACHA files and bank-draft dates (pure core)."""
