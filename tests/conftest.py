"""Shared fixtures: where the reference corpus is, and skipping when it is absent."""
from __future__ import annotations

import concurrent.futures
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("BOOLEANIDT_CORPUS", REPO.parent / "shared" / "corpus"))
SBML_QUAL = CORPUS / "sbml-qual"
MABOSS = CORPUS / "maboss"
PROFILE = CORPUS / "profile"
CELLDESIGNER = CORPUS / "celldesigner"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"reference corpus not found at {CORPUS} "
                                  "(set BOOLEANIDT_CORPUS or put shared/ beside the repository)")


def corpus_files(folder: Path, pattern: str) -> list:
    """Sorted corpus files matching ``pattern``, or one skipped placeholder when absent."""
    if not folder.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus folder {folder} not found"))]
    return sorted(folder.glob(pattern))


class CountingExecutor(concurrent.futures.ThreadPoolExecutor):
    """A thread pool that records the patients submitted to it (to see what a rerun resubmits)."""

    def __init__(self):
        super().__init__(max_workers=2)
        self.submitted = []

    def submit(self, fn, /, *args, **kwargs):
        self.submitted.append(args[0]["patient"])
        return super().submit(fn, *args, **kwargs)
