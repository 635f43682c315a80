# Services may wait on /.provisioning: it exists from just before supervisord starts until provisioning ends.
: > /.provisioning
supervisord -n -u root -c /etc/supervisor/supervisord.conf &
supervisord_pid=$!
