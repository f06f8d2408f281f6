"""Billing cycles, bill runs, bills and their lines, holds, cancel and rebill."""
