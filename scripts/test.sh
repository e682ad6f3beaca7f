#!/usr/bin/env bash
# The whole test suite: what the README says to run and what CI runs (.ci/run).
# Installs what the tests need: Python tools into ./.venv (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "need root to run: $*" >&2; return 1; fi; }

venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian ships venv support separately.
    rm -rf "$venv"
    as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
fi
stamp="$venv/.requirements-$(cksum < tests/requirements.txt | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r tests/requirements.txt
  rm -f "$venv"/.requirements-* && touch "$stamp"
fi

# The dashboard's end-to-end test drives it in tmux; the AWS CLI cache test runs AWS CLI v2
# (Debian's awscli package is v2; pip's, in .venv, is v1).
missing=()
command -v tmux >/dev/null || missing+=(tmux)
# The completion scripts are tried in the shells they are for (tests/cli_completions.rs).
command -v zsh >/dev/null || missing+=(zsh)
command -v fish >/dev/null || missing+=(fish)
# The vault's tests run a real Secret Service: GNOME Keyring on a private D-Bus session.
if command -v apt-get >/dev/null; then
  command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
  command -v dbus-daemon >/dev/null || missing+=(dbus-daemon)
  command -v secret-tool >/dev/null || missing+=(libsecret-tools)
fi
PATH=/usr/bin:/opt/homebrew/bin:/usr/local/bin command -v aws >/dev/null || missing+=(awscli)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v brew >/dev/null; then
    brew install tmux awscli zsh fish
  fi
fi

# The JavaScript SDK v3 for the tests that run it (tests/js, git-ignored node_modules).
if [ ! -d tests/js/node_modules ] || [ tests/js/package-lock.json -nt tests/js/node_modules ]; then
  command -v npm >/dev/null || { command -v apt-get >/dev/null && as_root apt-get install -y -qq npm >/dev/null; }
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

export MFATUI_REQUIRE_TOOLS=1
export MFATUI_NODE="$(command -v node)"
export MFATUI_PYTHON="$PWD/$venv/bin/python"
export MFATUI_AWS_CLI="$PWD/$venv/bin/aws"
# AWS CLI v2 as the system installs it (apt: /usr/bin; Homebrew: /opt/homebrew/bin or /usr/local/bin).
MFATUI_AWS_CLI_V2="$(PATH=/usr/bin:/opt/homebrew/bin:/usr/local/bin command -v aws || true)"
export MFATUI_AWS_CLI_V2

cargo fmt --check
cargo test --locked --workspace --all-targets
cargo clippy --locked --workspace --all-targets -- -D warnings
