# PORTAL_CONFIG -> /etc/portal.yaml before any program asks for it (caddy.sh does this on Vast). Nothing
# before supervisord reads the file, so it is written beside stages 36 and 45 (python's start is most of
# a first boot's time) and 65 waits for it before starting supervisord.
portal-config /etc/portal.yaml &
portal_config_pid=$!
