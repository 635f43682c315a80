rm -f /.provisioning
# /etc/portal.yaml (stage 20) was written beside the boot; only a failure is worth a line.
if [[ -n "${portal_config_pid:-}" ]] && ! wait "${portal_config_pid}"; then
    echo "portal-config failed: PORTAL_CONFIG is malformed" >&2
fi
wait "${supervisord_pid}"
