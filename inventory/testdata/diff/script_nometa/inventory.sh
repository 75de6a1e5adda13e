#!/bin/sh
# An executable inventory without _meta: host vars come from --host NAME.
case "$1" in
--list)
  echo '{"edge": {"hosts": ["e1", "e2"], "vars": {"site": "par"}}, "core": ["c1"]}'
  ;;
--host)
  case "$2" in
  e1) echo '{"ansible_host": "172.16.0.1", "rack": "r1"}' ;;
  e2) echo '{"ansible_host": "172.16.0.2", "rack": "r2"}' ;;
  *) echo '{}' ;;
  esac
  ;;
esac
