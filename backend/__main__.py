"""`python -m backend ...` runs the admin command line."""

from backend.cli import main

raise SystemExit(main())
