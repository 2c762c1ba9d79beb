"""CPU per frame: what a live session's worker thread spends building one streamed frame (JSON included) and one
pair of decision-boundary grids of the default experiment, in its own CPU time (time.thread_time), so a busy
or slower machine, where other threads hold the GIL, reads the same."""

from __future__ import annotations

import statistics
import time

STEPS_PER_FRAME = 2  # the default speed (60 steps/s) at 30 frames/s


def frame_cpu(rounds: int, frames_per_round: int = 300) -> dict[str, list[float]]:
    """Per round, the mean thread CPU of one frame and of one boundary grid pair, in µs, built as the session
    builds them while playing: after each STEPS_PER_FRAME steps."""
    from app.sessions.config import ExperimentConfig, check_limits
    from app.sessions.experiment import Experiment
    from app.settings import Settings

    config = ExperimentConfig.model_validate({})
    experiment = Experiment(config, check_limits(config, Settings()))
    frames, grids = [], []
    for _ in range(rounds):
        frame_cpu = grid_cpu = 0.0
        for _ in range(frames_per_round):
            experiment.advance(STEPS_PER_FRAME, 1.0)
            start = time.thread_time()
            experiment.last_step_frame().model_dump_json()
            middle = time.thread_time()
            experiment.boundary_frames()
            frame_cpu += middle - start
            grid_cpu += time.thread_time() - middle
        frames.append(frame_cpu / frames_per_round * 1e6)
        grids.append(grid_cpu / frames_per_round * 1e6)
    return {"frame_us": frames, "boundary_pair_us": grids}


def summary(measured: dict[str, list[float]]) -> tuple[float, float]:
    """The median round's µs per frame and per boundary grid pair."""
    return statistics.median(measured["frame_us"]), statistics.median(measured["boundary_pair_us"])
