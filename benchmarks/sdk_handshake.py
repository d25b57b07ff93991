"""Run inside bunq-sdk's venv: bunq's ``ApiContext.create`` once per line read, timed; JSON lines out.

python sdk_handshake.py BASE_URL CA_FILE API_KEY

Each line on stdin asks for one API-context creation; each answer line is
``{"total": seconds, "key_generation": seconds}``, the second being the time the SDK spent in its own
RSA key generation (``security.generate_rsa_private_key``, pycryptodome), so that the rest can be
compared with ours. One process for the whole benchmark, so its runs interleave with ours.
"""

import json
import os
import sys
import time
import warnings

warnings.simplefilter("ignore")
base_url, ca_file, api_key = sys.argv[1], sys.argv[2], sys.argv[3]
os.environ["REQUESTS_CA_BUNDLE"] = ca_file
from bunq.sdk.context.api_context import ApiContext  # noqa: E402
from bunq.sdk.context.api_environment_type import ApiEnvironmentType  # noqa: E402
from bunq.sdk.security import security  # noqa: E402

ApiEnvironmentType.SANDBOX._uri_base = base_url
generate_rsa_private_key = security.generate_rsa_private_key
key_generation = []


def timed_generate_rsa_private_key():
    started = time.perf_counter()
    key = generate_rsa_private_key()
    key_generation.append(time.perf_counter() - started)
    return key


security.generate_rsa_private_key = timed_generate_rsa_private_key  # ApiContext calls it through the module

for _ in sys.stdin:
    key_generation.clear()
    started = time.perf_counter()
    ApiContext.create(ApiEnvironmentType.SANDBOX, api_key, "benchmark")
    total = time.perf_counter() - started
    print(json.dumps({"total": total, "key_generation": sum(key_generation)}), flush=True)
