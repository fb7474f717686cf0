"""B2C's timeouts and retries, as named timing profiles.

B2C does not let a policy configure them; they changed in April 2025 (behaviour file §9.1, §12.6),
so all four generations are kept and the current ones are the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConfigurationError

__all__ = ["TIMING_PROFILES", "TimingProfile", "timing_profile"]


@dataclass(frozen=True)
class TimingProfile:
    """How long one attempt may take and how often a timeout or connection failure is retried."""

    name: str
    timeout: float
    retries: int

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ConfigurationError(f"timing profile {self.name!r}: timeout must be positive, got {self.timeout}")
        if self.retries < 0:
            raise ConfigurationError(f"timing profile {self.name!r}: retries cannot be negative, got {self.retries}")

    @property
    def attempts(self) -> int:
        """Tries in all: the first one plus the retries."""
        return self.retries + 1

    @property
    def budget(self) -> float:
        """The longest a call can take before B2C gives up: timeout times attempts."""
        return self.timeout * self.attempts


TIMING_PROFILES: dict[str, TimingProfile] = {
    p.name: p
    for p in (
        TimingProfile("custom-policy", 10.0, 1),
        TimingProfile("user-flow", 5.0, 1),
        TimingProfile("legacy-custom-policy", 30.0, 2),
        TimingProfile("legacy-user-flow", 20.0, 1),
    )
}


def timing_profile(value: TimingProfile | str) -> TimingProfile:
    """Return the named timing profile, or ``value`` itself when it already is one."""
    if isinstance(value, TimingProfile):
        return value
    try:
        return TIMING_PROFILES[value]
    except (KeyError, TypeError):
        names = ", ".join(TIMING_PROFILES)
        raise ConfigurationError(f"unknown timing profile {value!r}; choose one of: {names}") from None

