# PORTAL_CONFIG -> /etc/portal.yaml before any program asks for it (caddy.sh does this on Vast).
portal-config /etc/portal.yaml || echo "portal-config failed: PORTAL_CONFIG is malformed" >&2
