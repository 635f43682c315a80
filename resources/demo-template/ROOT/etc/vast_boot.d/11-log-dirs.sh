[[ -d /var/log/portal && -d /var/log/supervisor ]] || mkdir -p /var/log/portal /var/log/supervisor
[[ -k /var/log/portal ]] || chmod 1777 /var/log/portal
