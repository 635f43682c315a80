# Sourced first by every program script: rotate this program's logs and send all output through
# log-tee, which writes /var/log/portal/$PROC_NAME.log (what the portal and Template Studio read),
# a clean /var/log/$PROC_NAME.log, and stdout (so supervisord and `docker logs` show it too).
portal_log="${1:-/var/log/portal/${PROC_NAME}.log}"
mkdir -p "$(dirname "$portal_log")"
[[ -f "$portal_log" ]] && mv -f "$portal_log" "${portal_log}.old"
[[ -f "/var/log/${PROC_NAME}.log" ]] && mv -f "/var/log/${PROC_NAME}.log" "/var/log/${PROC_NAME}.log.old"
exec > >(/usr/local/bin/log-tee "$portal_log") 2>&1
