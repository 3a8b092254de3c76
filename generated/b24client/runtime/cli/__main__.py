"""`python -m b24client.runtime.cli`, the same as the `b24` console script."""

from .app import main

raise SystemExit(main())
