"""The oracle's modules import each other by name, as the live tests' do."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
