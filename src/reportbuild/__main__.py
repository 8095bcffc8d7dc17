"""Allow `python -m reportbuild`."""

from reportbuild.cli import main

main()
