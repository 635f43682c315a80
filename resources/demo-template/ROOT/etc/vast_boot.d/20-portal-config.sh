# PORTAL_CONFIG -> /etc/portal.yaml (caddy.sh does this on Vast). No stage reads the file, so python
# (most of a first boot's time) runs beside the stages after this one; programs wait for the file
# (exit_portal.sh, as on Vast) and stage 95 reports a failure.
portal-config /etc/portal.yaml &
portal_config_pid=$!
