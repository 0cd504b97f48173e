"""Run the command line interface: ``python -m reprints``."""

from .cli import main

main()
