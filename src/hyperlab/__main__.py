"""`python -m hyperlab` runs the CLI."""

from hyperlab.cli import main

main()
