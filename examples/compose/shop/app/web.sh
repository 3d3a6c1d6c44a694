# web: serves / and /cgi-bin/status (which calls api by its service name)
set -e
mkdir -p /www/cgi-bin
# what web found when it started: api already answering, the migration already done
/bin/busybox wget -q -O /www/api-at-start http://api:8081/ || echo "api not answering" > /www/api-at-start
cat /data/schema > /www/schema-at-start 2>&1 || echo "no schema" > /www/schema-at-start
cp /app/cgi-bin/status /www/cgi-bin/status
chmod 755 /www/cgi-bin/status
echo "<h1>shop</h1>" > /www/index.html
exec /bin/busybox httpd -f -p 8080 -h /www
