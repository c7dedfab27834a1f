"""coopdocs: law-checked founding documents for consumer cooperatives, from one YAML file."""

from __future__ import annotations

__version__ = "0.1.0"
