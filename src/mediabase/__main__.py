"""``python -m mediabase`` runs the command line."""

from mediabase.cli.root import main

main()
