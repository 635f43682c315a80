#!/bin/bash
# Gated by the portal config: "Extras" is not in the demo's PORTAL_CONFIG, so it is skipped.
. /opt/supervisor-scripts/utils/logging.sh
. /opt/supervisor-scripts/utils/cleanup_generic.sh
. /opt/supervisor-scripts/utils/environment.sh
. /opt/supervisor-scripts/utils/exit_serverless.sh
. /opt/supervisor-scripts/utils/exit_portal.sh "extras"

# As Vast's app programs do: start only once provisioning is over.
while [[ -f /.provisioning ]]; do
    sleep 1
done

echo "Starting extras on 127.0.0.1:18001"
cd /tmp && exec python3 -m http.server 18001 --bind 127.0.0.1
