"""Reading the input: YAML with positions, the input schema, the cooperative model."""
