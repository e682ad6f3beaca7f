"""Helpers the benchmark scripts share."""
import os
import socket
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, tries=600):
    for _ in range(tries):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listening on {port}")


def home_with(config, credentials, settings=None):
    """A throw-away HOME holding these AWS files (and mfatui settings, if any)."""
    home = tempfile.mkdtemp(prefix="mfatui-bench-")
    os.makedirs(os.path.join(home, ".aws"))
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write(config)
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        f.write(credentials)
    if settings:
        os.makedirs(os.path.join(home, ".config", "mfatui"))
        with open(os.path.join(home, ".config", "mfatui", "config.toml"), "w") as f:
            f.write(settings)
    return home


EVE_SERIAL = "arn:aws:iam::100000000001:mfa/eve-phone"


def eve_seed(roles, prefix="s"):
    """A sandbox seed: eve (an MFA user) and `roles` roles she may assume with MFA."""
    return {
        "accounts": [{"id": "100000000001"}],
        "users": [{"account": "100000000001", "name": "eve",
                   "access_keys": [{"id": "AKIAEVE0000000000001", "secret": "eve-secret"}],
                   "mfa": {"name": "eve-phone", "seed": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}}],
        "roles": [{"account": "200000000001", "name": f"{prefix}{i}", "trusted": ["arn:aws:iam::100000000001:user/eve"],
                   "require_mfa": True} for i in range(roles)],
    }


def start_sandbox(mfatui, home, seed):
    """`mfatui sandbox` on a free port with `seed` (written into `home`): the process and its URL."""
    import json
    import subprocess
    path = os.path.join(home, "seed.json")
    with open(path, "w") as f:
        json.dump(seed, f)
    sb = subprocess.Popen([mfatui, "sandbox", "--port", "0", "--seed", path], stdout=subprocess.PIPE, text=True)
    return sb, sb.stdout.readline().split()[-1]
