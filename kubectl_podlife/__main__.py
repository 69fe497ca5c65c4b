import sys

from kubectl_podlife.cli import main

sys.exit(main())
