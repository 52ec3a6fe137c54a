#!/usr/bin/env bash
# Builds release artefacts into dist/: binaries for linux/amd64, linux/arm64 and windows/amd64,
# tiltas-agent .deb packages for both Linux architectures, and a Windows .msi (wixl).
set -euo pipefail
cd "$(dirname "$0")/.."
# A tag v1.2.3 gives 1.2.3; an untagged tree gives 0.0.0+g<commit>.
if [ -z "${VERSION:-}" ]; then
  if git describe --tags --abbrev=0 >/dev/null 2>&1; then VERSION=$(git describe --tags --dirty)
  else VERSION="0.0.0+g$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"; fi
fi
DEBVER=$(printf '%s' "${VERSION#v}" | sed 's/[^0-9A-Za-z.+~]/./g')
case "$DEBVER" in [0-9]*) ;; *) DEBVER="0.0.0+$DEBVER" ;; esac
LDFLAGS="-s -w -X tiltas/agent.Version=$VERSION -X tiltas/cloud/version.Version=$VERSION"
rm -rf dist && mkdir -p dist

build() { # os arch pkg name
  local ext=""; [ "$1" = windows ] && ext=.exe
  CGO_ENABLED=0 GOOS=$1 GOARCH=$2 go build -trimpath -ldflags "$LDFLAGS" -o "dist/$1-$2/$4$ext" "./$3"
}
for target in linux/amd64 linux/arm64 windows/amd64; do
  os=${target%/*}; arch=${target#*/}
  echo "build $os/$arch" >&2
  build "$os" "$arch" agent/cmd/tiltas-agent tiltas-agent
  [ "$os" = linux ] && build "$os" "$arch" cloud/cmd/tiltas-cloud tiltas-cloud
done

# The packaged config keeps its data in /var/lib (the unit makes /etc read-only).
packaged_config() {
  sed 's|^# data_dir = "/var/lib/tiltas-agent"|data_dir = "/var/lib/tiltas-agent"|' installer/agent.sample.toml
}

for arch in amd64 arm64; do
  root=$(mktemp -d)
  install -D -m 0755 "dist/linux-$arch/tiltas-agent" "$root/usr/bin/tiltas-agent"
  install -d -m 0750 "$root/etc/tiltas"
  packaged_config > "$root/etc/tiltas/agent.toml"
  chmod 0640 "$root/etc/tiltas/agent.toml"
  install -D -m 0644 installer/agent.sample.toml "$root/usr/share/doc/tiltas-agent/agent.sample.toml"
  install -d "$root/lib/systemd/system"
  "dist/linux-amd64/tiltas-agent" unit --config /etc/tiltas/agent.toml --data-dir /var/lib/tiltas-agent --user tiltas --exe /usr/bin/tiltas-agent \
    > "$root/lib/systemd/system/tiltas-agent.service"
  install -d "$root/DEBIAN"
  install -m 0755 installer/deb/postinst installer/deb/prerm installer/deb/postrm "$root/DEBIAN/"
  echo /etc/tiltas/agent.toml > "$root/DEBIAN/conffiles"
  cat > "$root/DEBIAN/control" <<CONTROL
Package: tiltas-agent
Version: $DEBVER
Architecture: $arch
Maintainer: Tiltas <support@tiltas.example>
Depends: adduser
Section: net
Priority: optional
Installed-Size: $(du -sk "$root/usr" | cut -f1)
Description: Tiltas agent: ships POS receipts to the Tiltas cloud
 Runs next to the shop's POS server, reads closed receipts and day closes from
 the POS database, keeps them in a crash-safe outbox and streams them to the
 Tiltas cloud over one outbound websocket. Writes product cards from the cloud
 into the POS items table.
CONTROL
  dpkg-deb --root-owner-group -Zxz --build "$root" "dist/tiltas-agent_${DEBVER}_$arch.deb" >/dev/null
  rm -rf "$root"
  echo "built dist/tiltas-agent_${DEBVER}_$arch.deb" >&2
done

if command -v wixl >/dev/null 2>&1; then
  msiver=$(printf '%s' "$DEBVER" | grep -oE '^[0-9]+(\.[0-9]+){0,2}' || echo 0.0.0)
  wixl -a x64 -D Version="$msiver" -D Exe="dist/windows-amd64/tiltas-agent.exe" -D Sample=installer/agent.sample.toml \
    -o "dist/tiltas-agent-$msiver-x64.msi" installer/windows/tiltas-agent.wxs
  echo "built dist/tiltas-agent-$msiver-x64.msi" >&2
else
  echo "wixl not found (apt-get install wixl): no .msi built" >&2
fi
