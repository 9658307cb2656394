#!/usr/bin/env bash
# Makes sure the services the tests talk to are up on 127.0.0.1: PostgreSQL on 5432 (trust auth,
# database "test") and Redis on 6379. Starts them when installed but stopped; installs them with
# apt on a fresh Debian machine. Leaves running services alone. Also installs the headless browser
# the dashboard test drives (Debian's chromium and chromium-driver).
set -euo pipefail

log() { echo "services: $*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

wait_for_port() {
  for _ in $(seq 1 60); do
    port_open "$1" && return 0
    sleep 0.5
  done
  echo "services: nothing answers on 127.0.0.1:$1" >&2
  return 1
}

ensure_postgres() {
  if ! port_open 5432; then
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
      log "installing PostgreSQL"
      apt_install postgresql
    fi
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    log "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_for_port 5432
  fi
  # trust auth on loopback and a database "test" (what a fresh Debian install lacks)
  if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    if [ -f "$hba" ] && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
      log "allowing trust auth on 127.0.0.1 in $hba"
      as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    fi
    if ! psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw test; then
      log "creating database test"
      psql -h 127.0.0.1 -U postgres -c 'create database test' >/dev/null
    fi
  fi
  psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null
  log "PostgreSQL is up on 127.0.0.1:5432"
}

ensure_redis() {
  if ! port_open 6379; then
    if ! command -v redis-server >/dev/null 2>&1; then
      log "installing Redis"
      apt_install redis-server
    fi
    log "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for_port 6379
  fi
  log "Redis is up on 127.0.0.1:6379"
}

ensure_build_tools() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jdk-headless
  command -v mvn >/dev/null 2>&1 || apt_install maven
  command -v psql >/dev/null 2>&1 || apt_install postgresql-client
}

ensure_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    log "installing chromium and chromium-driver (for the dashboard test)"
    apt_install chromium chromium-driver
  fi
  log "chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}') and chromedriver are installed"
}

ensure_build_tools
ensure_browser
ensure_postgres
ensure_redis
