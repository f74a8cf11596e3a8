import sys

from src.build.cli import main

sys.exit(main())
