"""The pack: one loaded value that owns its files (rules, citations, wording, questionnaire)."""
