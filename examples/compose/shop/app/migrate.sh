# migrate: runs once, before web starts (web waits for it to complete successfully)
set -e
echo "schema v1" > /data/schema
echo "migrated"
