"""Source tree → language/framework, with the evidence for every decision."""

from __future__ import annotations

from kctl.detect.detector import Candidate, Detection, Evidence, detect
from kctl.detect.walk import SourceTree, scan

__all__ = ["Candidate", "Detection", "Evidence", "SourceTree", "detect", "scan"]
