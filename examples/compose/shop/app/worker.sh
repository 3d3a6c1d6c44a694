# worker: keeps writing into the shared volume
while true; do
  date > /data/heartbeat
  sleep 1
done
