import sys

from facekiosk.cli import main

sys.exit(main())
