"""The command-line adapter (Typer): one command group per concern, thin over the domain."""
