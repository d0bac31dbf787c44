"""The cdk8s app: ``python main.py`` (or ``cdk8s synth``) renders dist/.

See README.md. Everything lives in lib/; this file only starts it.
"""
import sys

from lib.cli import main

if __name__ == "__main__":
    sys.exit(main())
