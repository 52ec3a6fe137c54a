#!/usr/bin/env bash
# Makes sure MariaDB answers at 127.0.0.1:3306 as root with an empty password, as the tests
# and the demo expect: starts it when it is down, installs it with apt-get when it is missing
# and we are root, and otherwise stops with a message saying what to do.
set -euo pipefail

ping_db() { mariadb -h127.0.0.1 -P3306 -uroot -e 'SELECT 1' >/dev/null 2>&1 || mysql -h127.0.0.1 -P3306 -uroot -e 'SELECT 1' >/dev/null 2>&1; }

if command -v mariadb >/dev/null 2>&1 || command -v mysql >/dev/null 2>&1; then
  if ping_db; then exit 0; fi
fi

if ! command -v mariadbd >/dev/null 2>&1 && ! [ -x /usr/sbin/mariadbd ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "MariaDB is not installed. Install it (sudo apt-get install -y mariadb-server) or run as root, then retry." >&2
    exit 1
  fi
  echo "Installing MariaDB with apt-get..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq mariadb-server mariadb-client >/dev/null
fi

if ! ping_db; then
  echo "Starting MariaDB..." >&2
  if [ "$(id -u)" = 0 ]; then
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
      systemctl start mariadb || true
    fi
    if ! ping_db; then
      start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql >/dev/null 2>&1 || true
    fi
  else
    echo "MariaDB is installed but not running, and starting it needs root: sudo systemctl start mariadb" >&2
    exit 1
  fi
  for _ in $(seq 1 60); do
    ping_db && break
    sleep 0.5
  done
fi

# A fresh Debian install lets root in over the unix socket only: as root, allow TCP too.
if ! ping_db && [ "$(id -u)" = 0 ] && mariadb -uroot -e 'SELECT 1' >/dev/null 2>&1; then
  echo "Allowing root@127.0.0.1 without a password (test and demo machine)..." >&2
  mariadb -uroot -e "ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
    CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;"
fi

if ! ping_db; then
  echo "MariaDB does not answer at 127.0.0.1:3306 as root without a password." >&2
  echo "If it runs with unix-socket auth only, allow it for the tests:" >&2
  echo "  sudo mariadb -e \"ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;\"" >&2
  exit 1
fi
