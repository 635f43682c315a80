#!/bin/bash
# The demo web app: a static site on an internal port, fronted by the portal entry
# "localhost:8000:18000:/:Demo Web App". It waits for provisioning, as Vast's app programs do.
. /opt/supervisor-scripts/utils/logging.sh
. /opt/supervisor-scripts/utils/cleanup_generic.sh
. /opt/supervisor-scripts/utils/environment.sh
. /opt/supervisor-scripts/utils/exit_serverless.sh
. /opt/supervisor-scripts/utils/exit_portal.sh "demo web app"

while [[ -f /.provisioning ]]; do
    echo "Waiting for provisioning to finish"
    sleep 1
done

port="${WEBAPP_PORT:-18000}"
echo "Starting the demo web app on 127.0.0.1:${port}"
cd /opt/demo/webapp && python3 -m http.server "${port}" --bind 127.0.0.1
