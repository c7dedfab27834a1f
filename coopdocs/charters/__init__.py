"""Charters someone else wrote: reading, matching, audit and import."""
