#!/bin/bash
. /opt/supervisor-scripts/utils/logging.sh
. /opt/supervisor-scripts/utils/cleanup_generic.sh
. /opt/supervisor-scripts/utils/environment.sh

cron -f
