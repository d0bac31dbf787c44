"""The cdk8s app: ``python main.py`` (or ``cdk8s synth``) renders dist/.

See README.md. Everything lives in lib/; this file only starts it.
"""
import os
import sys

# jsii's generated bindings type-check every argument under ``if __debug__``;
# our bodies are plain dicts already validated at load, so the checks only
# cost time (3x on large renders). Re-run once under -O unless told not to.
if __debug__ and not os.environ.get("VOYAGER_NO_OPTIMIZE"):
    os.execv(sys.executable, [sys.executable, "-O", *sys.argv])

from lib.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
