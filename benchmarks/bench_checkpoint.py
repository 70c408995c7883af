"""Checkpoints of running trials: what a save and a resume cost (a run saves each running
trial once a minute), and how large the file is."""

import os
import tempfile

from lstm97.experiments.checkpoint import resume, save
from lstm97.experiments.trial import Trial

ROWS = ["2a-p100", "2c-q1000-p1000", "reber-3x2-lr0.5"]


class Checkpoint:
    params = ROWS
    param_names = ["row"]

    def setup(self, row):
        self.row = row
        self.trial = Trial(row, 0)
        next(iter(self.trial))                              # a trial under way
        self.folder = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.folder.name, "trial-0.npz")
        save(self.trial, self.path)

    def teardown(self, row):
        self.folder.cleanup()

    def time_save(self, row):
        save(self.trial, self.path)

    def time_resume(self, row):
        resume(self.path, lambda: Trial(self.row, 0))

    def track_kilobytes(self, row):
        return os.path.getsize(self.path) / 1e3

    track_kilobytes.unit = "kB"
