#!/bin/bash
# Stands in for the base image's caddy program: fronts each portal external port.
. /opt/supervisor-scripts/utils/logging.sh
. /opt/supervisor-scripts/utils/cleanup_generic.sh
. /opt/supervisor-scripts/utils/environment.sh
. /opt/supervisor-scripts/utils/exit_serverless.sh

# As Vast's app programs do: start only once provisioning is over.
while [[ -f /.provisioning ]]; do
    sleep 1
done

for _ in $(seq 1 240); do
    [[ -s /etc/portal.yaml ]] && break
    sleep 0.5
done
portal-proxy
