"""`python -m bot` does what `porchlight` does."""

import sys

from bot.cli import main

sys.exit(main())
