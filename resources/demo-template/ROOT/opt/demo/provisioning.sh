#!/bin/bash
# The demo's PROVISIONING_SCRIPT: what a real template would use to fetch models or install extras.
# It only writes a file here, since nothing can be downloaded.
set -euo pipefail
echo "Provisioning the demo workspace"
mkdir -p "${WORKSPACE:-/workspace}"
date -u +%FT%TZ > "${WORKSPACE:-/workspace}/provisioned-at"
echo "Wrote ${WORKSPACE:-/workspace}/provisioned-at"
