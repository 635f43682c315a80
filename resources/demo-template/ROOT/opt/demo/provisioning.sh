#!/bin/bash
# The demo's PROVISIONING_SCRIPT: what a real template would use to fetch models or install extras.
# It only writes a file here, since nothing can be downloaded.
set -euo pipefail
echo "Provisioning the demo workspace"
[[ -d "${WORKSPACE:-/workspace}" ]] || mkdir -p "${WORKSPACE:-/workspace}"
TZ=UTC printf '%(%Y-%m-%dT%H:%M:%SZ)T\n' -1 > "${WORKSPACE:-/workspace}/provisioned-at"
echo "Wrote ${WORKSPACE:-/workspace}/provisioned-at"
