"""coopdocs: law-checked founding documents for consumer cooperatives, from one YAML file."""

from __future__ import annotations

__version__ = "0.1.0"
# The languages coopdocs' own messages are written in (schemas/messages.yaml; a test keeps them in
# step). The languages of the documents are each pack's (``Pack.languages``).
MESSAGE_LANGUAGES = ("ru", "kk", "en")
