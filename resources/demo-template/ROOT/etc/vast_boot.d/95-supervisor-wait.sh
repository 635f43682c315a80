rm -f /.provisioning
wait "${supervisord_pid}"
