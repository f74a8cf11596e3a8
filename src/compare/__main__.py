"""``python -m src.compare --data DIR [--previous PATH] [--raw TABLE] [--force]``."""
import sys

from src.compare.previous import main

sys.exit(main())
