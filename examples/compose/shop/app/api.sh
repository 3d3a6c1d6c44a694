# api: answers on 8081 once it has read its token (a secret file)
set -e
token=$(cat /run/secrets/api_token)
mkdir -p /www
echo "{\"service\": \"api\", \"greeting\": \"$GREETING\", \"token_length\": ${#token}}" > /www/index.html
exec /bin/busybox httpd -f -p 8081 -h /www
