"""`python -m mesh`: the filmstudio command."""

import sys

from mesh.cli import main

sys.exit(main())
