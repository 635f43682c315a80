#!/bin/bash
# Fails on purpose, faster than startsecs, so supervisord shows BACKOFF and then FATAL.
. /opt/supervisor-scripts/utils/logging.sh
. /opt/supervisor-scripts/utils/cleanup_generic.sh
. /opt/supervisor-scripts/utils/environment.sh
. /opt/supervisor-scripts/utils/exit_serverless.sh

# As Vast's app programs do: start only once provisioning is over.
while [[ -f /.provisioning ]]; do
    sleep 1
done

echo "flaky: starting, and failing on purpose (this demo program shows BACKOFF then FATAL)"
exit 1
