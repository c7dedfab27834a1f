"""Checking: legal rules, input checks, pyramid signs, the stress test; diagnostics."""
