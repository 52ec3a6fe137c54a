#!/usr/bin/env bash
# The whole Tiltas system on this machine: the cloud on its embedded SQLite store, a MariaDB POS
# database with cash registers selling, and the agent shipping receipts. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${DEMO_PORT:-8080}
POS_DB=${DEMO_POS_DB:-tiltas_demo_pos}
# The POS schema the registers sell into and the agent reads, through its shipped profile:
# reference (Tiltas's own) or unicenta (uniCenta oPOS 4.5). make demo POS=unicenta.
POS=${POS:-reference}
case "$POS" in
  reference)
    POS_NAME="Tiltas reference schema"
    CARDS_SQL='SELECT barcode, name, price_gross FROM items WHERE barcode LIKE "477123%"'
    STOCK_FROM="SELECT barcode, name, price_net FROM items WHERE barcode LIKE '47700%'" ;;
  unicenta)
    POS_NAME="uniCenta oPOS 4.5 (tickets reach the cloud at each till's Close Cash)"
    CARDS_SQL='SELECT p.code, p.name, ROUND(p.pricesell * (1 + x.rate), 2) AS gross FROM products p JOIN taxes x ON x.category = p.taxcat WHERE p.code LIKE "477123%"'
    STOCK_FROM="SELECT code AS barcode, name, pricesell AS price_net FROM products WHERE code LIKE '47710%'" ;;
  *)
    echo "POS=$POS: use POS=reference or POS=unicenta" >&2
    exit 1 ;;
esac
DIR=.demo
BIN=bin
URL="http://127.0.0.1:$PORT"

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "Port $PORT is in use: stop what listens there, or run DEMO_PORT=8090 make demo" >&2
  exit 1
fi

# A fresh demo every run: new cloud database, new POS database.
rm -rf "$DIR"
mkdir -p "$DIR"
chmod 700 "$DIR"
mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS \`$POS_DB\`"
export TILTAS_DB="sqlite:$DIR/cloud.db"

"$BIN/tiltas-cloud" tenant create --name "Demo UAB" >/dev/null
AGENT_TOKEN=$("$BIN/tiltas-cloud" agent enroll --tenant "Demo UAB" --store VLN1 --store-name "Vilnius, Gedimino pr." 2>/dev/null)
API_TOKEN=$("$BIN/tiltas-cloud" token create --tenant "Demo UAB" --name demo 2>/dev/null)
DEMO_PASSWORD=${DEMO_PASSWORD:-tiltas-demo-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')}
TILTAS_PASSWORD="$DEMO_PASSWORD" "$BIN/tiltas-cloud" user add --tenant "Demo UAB" --email accountant@demo.lt --name "Demo accountant" --role accountant >/dev/null
TILTAS_PASSWORD="$DEMO_PASSWORD" "$BIN/tiltas-cloud" user add --tenant "Demo UAB" --email viewer@demo.lt --name "Demo viewer" --role viewer >/dev/null

umask 077
cat > "$DIR/agent.toml" <<TOML
# Written by make demo. See installer/agent.sample.toml for every setting.
store = "VLN1"
cloud = "$URL"
token = "$AGENT_TOKEN"
data_dir = "agent-data"

[pos]
dsn = "root@tcp(127.0.0.1:3306)/$POS_DB"
profile = "$POS"
poll_interval = "1s"
TOML

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped. Logs and data are in $DIR/."
  exit 0
}
trap stop INT TERM EXIT

"$BIN/tiltas-cloud" serve --listen "127.0.0.1:$PORT" >"$DIR/cloud.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fs "$URL/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
# Cash registers: 3 registers, a sale about every second and a half, a Z report every 40 receipts.
"$BIN/tiltas-possim" --dsn "root@tcp(127.0.0.1:3306)/$POS_DB" --profile "$POS" --registers 3 --receipts 0 --rate 2 --day-every 40 >"$DIR/possim.log" 2>&1 &
pids+=($!)
# The agent refuses to start on a POS database whose tables its profile does not find: wait
# until the simulator has created them and its catalogue.
for _ in $(seq 1 300); do
  n=$(mariadb -h127.0.0.1 -uroot -N "$POS_DB" -e "SELECT COUNT(*) FROM ($STOCK_FROM) AS catalogue" 2>/dev/null || true)
  [ "${n:-0}" -gt 0 ] && break
  sleep 0.1
done
"$BIN/tiltas-agent" run --config "$PWD/$DIR/agent.toml" >"$DIR/agent.log" 2>&1 &
pids+=($!)
# Opening stock for the registers' catalogue, so each sale's goods are written off at cost.
STOCK_JSON=$(mariadb -h127.0.0.1 -uroot -N "$POS_DB" -e "SET SESSION group_concat_max_len = 1000000;
  SELECT CONCAT('{\"date\":\"', CURDATE(), '\",\"key\":\"demo-opening-stock\",\"lines\":[',
    GROUP_CONCAT(JSON_OBJECT('barcode', barcode, 'name', name, 'quantity', '1000', 'unit_cost', CAST(ROUND(price_net * 0.7, 2) AS CHAR)) SEPARATOR ','), ']}')
  FROM ($STOCK_FROM) AS catalogue")
curl -s -o /dev/null -H "Authorization: Bearer $API_TOKEN" --data-binary "$STOCK_JSON" "$URL/api/v1/stock/receipts"

# Marketplaces: fake Amazon and Allegro (loopback) selling the sample cards, pulled every minute.
"$BIN/tiltas-marketfakes" --configs "$DIR" --amazon 127.0.0.1:${DEMO_AMAZON_PORT:-8091} --allegro 127.0.0.1:${DEMO_ALLEGRO_PORT:-8092} >"$DIR/marketfakes.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -s "$DIR/allegro.json" ] && break; sleep 0.1; done
printf 'Date,PLN,SEK\n%s,4.3000,11.2000\n' "$(date +%F)" | curl -s -o /dev/null -H "Authorization: Bearer $API_TOKEN" --data-binary @- "$URL/api/v1/fx-rates/import"
"$BIN/tiltas-cloud" market add --tenant "Demo UAB" --kind amazon --name "Amazon EU" --config @"$DIR/amazon.json" --every 1m >/dev/null
"$BIN/tiltas-cloud" market add --tenant "Demo UAB" --kind allegro --name "Allegro" --config @"$DIR/allegro.json" --every 1m >/dev/null

# The accountant's catalogue: product cards go from the cloud through the agent into the POS.
# The sample has one bad row on purpose: its error comes back with the line number.
IMPORT=$(curl -s -H "Authorization: Bearer $API_TOKEN" --data-binary @testdata/products/sample.csv "$URL/api/v1/products/import")

cat <<INFO

Tiltas demo is running.
  Accountants' UI:  $URL/ui/   sign in as accountant@demo.lt or viewer@demo.lt, password $DEMO_PASSWORD
  Cloud:        $URL   (SQLite store at $DIR/cloud.db)
  POS:          MariaDB database $POS_DB, $POS_NAME, 3 cash registers selling
  Agent:        $DIR/agent.toml, outbox in $DIR/agent-data/
  Agent token:  $AGENT_TOKEN
  API token:    $API_TOKEN

Or use the JSON API:
  curl -s -H 'Authorization: Bearer $API_TOKEN' $URL/api/v1/stores/VLN1/status
  curl -s -H 'Authorization: Bearer $API_TOKEN' '$URL/api/v1/receipts?store=VLN1&limit=5'
  curl -s -H 'Authorization: Bearer $API_TOKEN' $URL/api/v1/dayclosures
  curl -s -H 'Authorization: Bearer $API_TOKEN' $URL/api/v1/rejected
  curl -s -H 'Authorization: Bearer $API_TOKEN' $URL/api/v1/stores/VLN1/cards     # product cards in the POS

The books (each receipt becomes a document with its journal entry and a write-off at cost):
  curl -s -H 'Authorization: Bearer $API_TOKEN' '$URL/api/v1/documents?limit=5'
  curl -s -H 'Authorization: Bearer $API_TOKEN' $URL/api/v1/documents/2                    # lines, entries, source receipt
  curl -s -H 'Authorization: Bearer $API_TOKEN' $URL/api/v1/trial-balance
  curl -s -H 'Authorization: Bearer $API_TOKEN' $URL/api/v1/reconciliation                 # each Z report against its receipts
  curl -s -H 'Authorization: Bearer $API_TOKEN' $URL/api/v1/unresolved

Marketplaces (fake Amazon and Allegro on loopback, pulled every minute; booked with VAT by destination):
  curl -s -H 'Authorization: Bearer $API_TOKEN' $URL/api/v1/market/accounts
  curl -s -H 'Authorization: Bearer $API_TOKEN' '$URL/api/v1/market/orders?state=posted&limit=5'
  curl -s -X POST -H 'Authorization: Bearer $API_TOKEN' $URL/api/v1/market/accounts/1/fetch   # fetch now (with a cooldown)

Product cards imported from testdata/products/sample.csv:
  $IMPORT
  (then in the POS: mariadb -h127.0.0.1 -uroot $POS_DB -e '$CARDS_SQL')

The agent's own view:  $BIN/tiltas-agent status --config $PWD/$DIR/agent.toml
                       $BIN/tiltas-agent doctor --config $PWD/$DIR/agent.toml

Logs: $DIR/cloud.log, $DIR/agent.log, $DIR/possim.log.   Press Ctrl-C to stop.
INFO

# Print a line of progress every 10 s until stopped. Waiting in the wait builtin (not a foreground
# sleep) lets Ctrl-C or a kill of this script run the trap at once.
while true; do
  sleep 10 &
  wait $! || true
  status=$(curl -s -H "Authorization: Bearer $API_TOKEN" "$URL/api/v1/stores/VLN1/status" || true)
  receipts=$(printf '%s' "$status" | sed -n 's/.*"receipts": \([0-9]*\).*/\1/p')
  backlog=$(printf '%s' "$status" | sed -n 's/.*"backlog": \([0-9]*\).*/\1/p')
  docs=$(curl -s -H "Authorization: Bearer $API_TOKEN" "$URL/api/v1/documents?limit=5000" | grep -c '"series"' || true)
  echo "$(date +%T)  receipts in the cloud: ${receipts:-?}  agent backlog: ${backlog:-?}  documents booked: ${docs:-?}"
done
