# /etc/portal.yaml (stage 20) is complete before any program can ask for it.
if [[ -n "${portal_config_pid:-}" ]] && ! wait "${portal_config_pid}"; then
    echo "portal-config failed: PORTAL_CONFIG is malformed" >&2
fi
# Services may wait on /.provisioning: it exists from just before supervisord starts until provisioning ends.
: > /.provisioning
supervisord -n -u root -c /etc/supervisor/supervisord.conf &
supervisord_pid=$!
