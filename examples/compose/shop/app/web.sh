# web: serves / and /cgi-bin/status (which calls api by its service name)
set -e
mkdir -p /www/cgi-bin
cp /app/cgi-bin/status /www/cgi-bin/status
chmod 755 /www/cgi-bin/status
echo "<h1>shop</h1>" > /www/index.html
exec /bin/busybox httpd -f -p 8080 -h /www
