mkdir -p /var/log/portal /var/log/supervisor
chmod 1777 /var/log/portal
