"""connector_sim's B2C users under Locust itself: one machine, several processes, or many machines.

The users are described by a JSON file (``load.json`` here) named in ``CONNECTOR_SIM_LOAD_CONFIG``,
with ``CONNECTOR_SIM_LOAD_<FIELD>`` variables on top (see ``connector_sim.load.config``). Every
Locust process that imports this file builds the users' target once (one decoded .pfx, one token
cache per process), so workers need the same files and environment variables as the master.

    export CONNECTOR_SIM_LOAD_CONFIG=samples/load/load.json
    locust -f samples/load/locustfile.py --headless -u 50 -r 10 -t 1m                 # one process
    locust -f samples/load/locustfile.py --headless -u 200 -r 20 -t 5m --processes -1  # a worker per core
    locust -f samples/load/locustfile.py --headless -u 400 -r 40 -t 5m --master --expect-workers 4
    locust -f samples/load/locustfile.py --worker --master-host 10.0.0.5               # on each load machine

At the end the master prints connector_sim's table (failures by reason, share over B2C's timeout)
after Locust's own, and exits 1 when the failure share is over CONNECTOR_SIM_LOAD_MAX_FAILURE_RATIO
(default 0: any failure).
"""

from __future__ import annotations

import os

from connector_sim.load import add_b2c_report, user_class_from_env

SignUpUser = user_class_from_env()  # a B2CUser subclass named by the config ("B2CUser" by default)
add_b2c_report(max_failure_ratio=float(os.environ.get("CONNECTOR_SIM_LOAD_MAX_FAILURE_RATIO", "0")))
