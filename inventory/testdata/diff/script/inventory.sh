#!/bin/sh
# An executable inventory with _meta.hostvars.
if [ "$1" = "--list" ]; then
cat <<'JSON'
{
  "web": {"hosts": ["w1.example.com", "w2.example.com"], "vars": {"tier": "web", "port": 80}},
  "db": ["d1.example.com"],
  "prod": {"children": ["web", "db"], "vars": {"env": "prod"}},
  "solo.example.com": {"only_var": 1},
  "_meta": {"hostvars": {
    "w1.example.com": {"ansible_host": "10.1.0.1", "weight": 1.5},
    "d1.example.com": {"ansible_host": "10.1.0.9", "ansible_port": 2222, "tags": ["a", "b"]}
  }}
}
JSON
else
  echo '{}'
fi
