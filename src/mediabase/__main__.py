"""``python -m mediabase`` runs the command line."""

from mediabase.cli.main import main

main()
