#!/usr/bin/env bash
# Runs the app: the Electron window where its binary is available, else the headless server and web UI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(repo_root)"

ensure_node_modules
build_app

# require('electron') returns the binary's path, downloading it first when missing; that download
# needs GitHub, which some machines (ours included) cannot reach.
if electron_bin=$(timeout 120 node -e "process.stdout.write(require('electron'))" 2>/dev/null) && [ -x "$electron_bin" ]; then
  exec "$electron_bin" .
fi
echo "The Electron binary is not available on this machine; running the headless server and web UI instead." >&2
# The shipped one-file server (npm run build makes it, with the compiled modules as well).
exec node dist/server/medianest-appliance.mjs serve "$@"
