"""Load testing on Locust with B2C's timeout as the failure line (the ``connector_sim[load]`` extra).

``B2CUser`` is a Locust user that calls a target exactly as B2C does (``ProfileTarget``,
``PolicyTarget`` for a policy's profiles or journey, ``ConnectorTarget`` for a user-flow API
connector step) with claims from a CSV or JSON file (``ClaimRows``). A call counts as failed when
B2C would fail it, and also when it took longer than B2C's timeout even if it returned 200; each
failure carries a short stable reason ("timeout", "http-500", "slow-200"...; see ``failures``).
Targets send on requests, the SDK's transport, by default; ``transport="fast"`` (on the target or
``user_class``) sends the same bytes through the same B2C pipeline on geventhttpclient, the client
under Locust's FastHttpUser, at its rate.

A locustfile is two lines (``samples/load/locustfile.py``)::

    from connector_sim.load import user_class_from_env
    B2CSignUp = user_class_from_env()   # CONNECTOR_SIM_LOAD_CONFIG=load.json, CONNECTOR_SIM_LOAD_*

Importing this package does not import Locust; the names that need it (``B2CUser``, ``user_class``,
``user_class_from_env``, ``run_load``, ``add_b2c_report``...) load it on first use. Locust's gevent
must patch the standard library before ``connector_sim`` is imported: ``locust -f`` and
``connector-sim load`` see to it; a script does ``import locust`` first.
"""

from __future__ import annotations

from ..faces import lazy_face
from .config import LoadConfig
from .connector_target import ConnectorTarget
from .data import ClaimRows
from .extension_target import ExtensionTarget
from .failures import LoadFailure, Sample
from .report import LoadReport
from .targets import PolicyTarget, ProfileTarget, Target, TargetSession

__all__ = [
    "B2CUser",
    "ClaimRows",
    "ConnectorTarget",
    "ExtensionTarget",
    "LoadConfig",
    "LoadFailure",
    "LoadReport",
    "PolicyTarget",
    "ProfileTarget",
    "Progress",
    "Sample",
    "Target",
    "TargetSession",
    "add_b2c_report",
    "run_load",
    "user_class",
    "user_class_from_config",
    "user_class_from_env",
]

# Names whose modules import Locust (and so gevent): loaded on first use only.
_LAZY = {
    "B2CUser": ".user", "user_class": ".user", "user_class_from_config": ".user", "user_class_from_env": ".user",
    "run_load": ".headless", "add_b2c_report": ".headless", "Progress": ".headless",
}


__getattr__, __dir__ = lazy_face(__name__, _LAZY, globals())
