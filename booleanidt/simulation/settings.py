"""Run settings of a stochastic simulation, under readable names and MaBoSS's .cfg names.

Examples
--------
>>> s = SimulationSettings.from_cfg_values({"max_time": "50", "time_tick": "0.5", "sample_count": "1000"})
>>> s.max_time, s.time_tick, s.sample_count
(50.0, 0.5, 1000)
>>> s.to_cfg_values()["seed_pseudorandom"]
0
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Mapping

from ..errors import BooleanidtError

__all__ = ["SimulationSettings", "CFG_NAMES", "SettingsError", "available_cores"]


class SettingsError(BooleanidtError):
    """A run setting that makes no sense (time_tick <= 0, sample_count < 1...)."""


#: readable name -> MaBoSS .cfg name
CFG_NAMES = {
    "max_time": "max_time",
    "time_tick": "time_tick",
    "sample_count": "sample_count",
    "seed": "seed_pseudorandom",
    "threads": "thread_count",
    "discrete_time": "discrete_time",
    "statdist_traj_count": "statdist_traj_count",
    "statdist_cluster_threshold": "statdist_cluster_threshold",
}

#: .cfg settings that MaBoSS accepts and booleanidt reads but does not need
IGNORED_CFG_NAMES = frozenset({
    "use_physrandgen", "use_glibcrandgen", "use_mtrandgen", "display_traj",
    "statdist_similarity_cache_max_size", "init_pop",
})


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it).

    >>> available_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:   # macOS and Windows have no affinity call
        return os.cpu_count() or 1


@dataclass(frozen=True)
class SimulationSettings:
    """MaBoSS run settings.

    Attributes
    ----------
    max_time : simulated time of each trajectory
    time_tick : width of the time windows results are averaged over
    sample_count : number of trajectories
    seed : seed of the pseudo-random streams (MaBoSS ``seed_pseudorandom``)
    threads : worker threads, by default the cores this process may use (results do not depend on it)
    discrete_time : every jump takes ``time_tick`` instead of an exponential time
    statdist_traj_count : trajectories whose own state distributions are kept and clustered
        (MaBoSS's stationary distributions; 0: none)
    statdist_cluster_threshold : similarity from which two trajectories fall in one cluster
    """

    max_time: float = 10.0
    time_tick: float = 0.1
    sample_count: int = 10_000
    seed: int = 0
    threads: int = field(default_factory=available_cores)
    discrete_time: bool = False
    statdist_traj_count: int = 0
    statdist_cluster_threshold: float = 1.0

    def __post_init__(self):
        self.validate()

    def validate(self):
        """Raise :class:`SettingsError` for impossible settings."""
        if not self.max_time > 0:
            raise SettingsError(f"max_time must be > 0 (got {self.max_time})")
        if not 0 < self.time_tick <= self.max_time:
            raise SettingsError(f"time_tick must be > 0 and <= max_time (got time_tick={self.time_tick}, "
                                f"max_time={self.max_time})")
        if self.sample_count < 1:
            raise SettingsError(f"sample_count must be >= 1 (got {self.sample_count})")
        if self.statdist_traj_count < 0:  # more than sample_count: all of them, as MaBoSS does
            raise SettingsError(f"statdist_traj_count must be >= 0 (got {self.statdist_traj_count})")
        if not 0 <= self.statdist_cluster_threshold <= 1:
            raise SettingsError(f"statdist_cluster_threshold must be in [0, 1] (got {self.statdist_cluster_threshold})")
        if self.threads < 1:
            raise SettingsError(f"threads must be >= 1 (got {self.threads})")

    @property
    def window_count(self) -> int:
        """Number of complete time windows, floor(max_time / time_tick)."""
        return int(self.max_time / self.time_tick + 1e-9)

    def replace(self, **changes) -> "SimulationSettings":
        """A copy with some settings changed (readable or .cfg names)."""
        readable = {_readable_name(k): v for k, v in changes.items()}
        return dataclasses.replace(self, **_coerced(readable))

    @classmethod
    def from_cfg_values(cls, values: Mapping[str, object]) -> "SimulationSettings":
        """Settings from .cfg ``name = value`` pairs; unknown names raise SettingsError."""
        readable = {}
        for key, value in values.items():
            if key in IGNORED_CFG_NAMES:
                continue
            readable[_readable_name(key)] = value
        return cls(**_coerced(readable))

    def to_cfg_values(self) -> dict:
        """``{cfg name: value}`` as MaBoSS writes them."""
        return {cfg: (int(v) if isinstance(v, bool) else v)
                for cfg, v in ((CFG_NAMES[f.name], getattr(self, f.name)) for f in dataclasses.fields(self))}


def _readable_name(key: str) -> str:
    if key in CFG_NAMES:
        return key
    for readable, cfg in CFG_NAMES.items():
        if cfg == key:
            return readable
    raise SettingsError(f"unknown setting {key!r} (known: {', '.join(sorted(set(CFG_NAMES) | set(CFG_NAMES.values())))})")


_TYPES = {"max_time": float, "time_tick": float, "sample_count": int, "seed": int, "threads": int,
          "discrete_time": lambda v: bool(int(float(v))), "statdist_traj_count": int,
          "statdist_cluster_threshold": float}


def _coerced(values: Mapping[str, object]) -> dict:
    out = {}
    for key, value in values.items():
        try:
            out[key] = _TYPES[key](float(value)) if _TYPES[key] is int else _TYPES[key](value)
        except (TypeError, ValueError):
            raise SettingsError(f"setting {key} must be a number (got {value!r})") from None
    return out
