"""`python -m kubectl_podlife.capture [watch flags]`: the watch command on its own."""

import sys

from kubectl_podlife.capture.command import main

sys.exit(main())
