"""Run inside bunq-sdk's venv: time ``ApiContext.create`` N times against a local sandbox; print JSON.

python sdk_handshake.py BASE_URL CA_FILE API_KEY N
"""

import json
import os
import sys
import time
import warnings

warnings.simplefilter("ignore")
base_url, ca_file, api_key, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
os.environ["REQUESTS_CA_BUNDLE"] = ca_file
from bunq.sdk.context.api_context import ApiContext  # noqa: E402
from bunq.sdk.context.api_environment_type import ApiEnvironmentType  # noqa: E402

ApiEnvironmentType.SANDBOX._uri_base = base_url
durations = []
for _ in range(runs):
    started = time.perf_counter()
    ApiContext.create(ApiEnvironmentType.SANDBOX, api_key, "benchmark")
    durations.append(time.perf_counter() - started)
print(json.dumps(durations))
