import sys

from ddblint.cli import main

sys.exit(main())
