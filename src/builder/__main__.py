import sys

from src.builder.cli import main

sys.exit(main())
