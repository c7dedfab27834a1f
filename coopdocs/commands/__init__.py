"""The commands behind the CLI: build, amend, batch, init, explain, serve."""
