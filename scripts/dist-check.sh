#!/usr/bin/env bash
# Checks what make dist built: the binaries are for the right platforms, the .deb holds the
# binary, the config (0640), the unit and its scripts, the .msi registers the service. As root,
# it also installs the amd64 .deb, checks the result, and purges it again.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "dist-check: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

for t in linux-amd64 linux-arm64 windows-amd64; do
  exe=dist/$t/tiltas-agent; [ "$t" = windows-amd64 ] && exe=$exe.exe
  [ -f "$exe" ] || fail "missing $exe"
  info=$(go version -m "$exe")
  grep -q "GOOS=${t%-*}" <<<"$info" && grep -q "GOARCH=${t#*-}" <<<"$info" || fail "$exe is not built for $t"
  ok "$exe is $t"
done

ver=$(dist/linux-amd64/tiltas-cloud version) || fail "dist/linux-amd64/tiltas-cloud does not run"
[ "$ver" != "tiltas-cloud dev" ] && grep -q '^tiltas-cloud .' <<<"$ver" || fail "tiltas-cloud has no build version (ldflags): $ver"
ok "tiltas-cloud names its build: $ver"

deb=$(ls dist/tiltas-agent_*_amd64.deb) || fail "no amd64 .deb"
ls dist/tiltas-agent_*_arm64.deb >/dev/null || fail "no arm64 .deb"
contents=$(dpkg-deb -c "$deb")
for want in "-rwxr-xr-x root/root .* ./usr/bin/tiltas-agent" "-rw-r----- root/root .* ./etc/tiltas/agent.toml" \
            "-rw-r--r-- root/root .* ./lib/systemd/system/tiltas-agent.service" "./usr/share/doc/tiltas-agent/agent.sample.toml"; do
  grep -qE -- "$want" <<<"$contents" || fail "$deb lacks $want:
$contents"
done
ok "$deb holds the binary, the 0640 config, the unit and the sample"
[ "$(dpkg-deb -f "$deb" Package)" = tiltas-agent ] && [ "$(dpkg-deb -f "$deb" Architecture)" = amd64 ] || fail "bad control fields"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
dpkg-deb -e "$deb" "$tmp/DEBIAN"
for f in postinst prerm postrm conffiles; do [ -f "$tmp/DEBIAN/$f" ] || fail "$deb has no $f"; done
grep -qx /etc/tiltas/agent.toml "$tmp/DEBIAN/conffiles" || fail "agent.toml is not a conffile"
grep -q 'adduser --system' "$tmp/DEBIAN/postinst" || fail "postinst creates no system user"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/tiltas-agent.service > "$tmp/unit"
for want in "ExecStart=/usr/bin/tiltas-agent run --config /etc/tiltas/agent.toml" "User=tiltas" "Restart=on-failure" "ReadWritePaths=/var/lib/tiltas-agent"; do
  grep -qxF "$want" "$tmp/unit" || fail "unit lacks $want"
done
# Output is captured before grep -q reads it: with pipefail, grep -q quitting at the first match
# would SIGPIPE the writer and fail the pipeline at random.
conf=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./etc/tiltas/agent.toml)
grep -qx 'data_dir = "/var/lib/tiltas-agent"' <<<"$conf" || fail "packaged config does not keep data in /var/lib"
ok "control, conffiles, maintainer scripts and unit"

if msi=$(ls dist/tiltas-agent-*-x64.msi 2>/dev/null); then
  if command -v msiinfo >/dev/null; then
    services=$(msiinfo export "$msi" ServiceInstall) || fail "msiinfo cannot read $msi"
    files=$(msiinfo export "$msi" File) || fail "msiinfo cannot read $msi"
    grep -q 'tiltas-agent' <<<"$services" || fail "$msi does not install the service"
    grep -q 'tiltas-agent.exe' <<<"$files" || fail "$msi lacks tiltas-agent.exe"
    ok "$msi installs tiltas-agent.exe and the tiltas-agent service"
  fi
else
  fail "no .msi (install wixl)"
fi

if [ "$(id -u)" = 0 ] && command -v dpkg >/dev/null; then
  dpkg --purge tiltas-agent >/dev/null 2>&1 || true
  dpkg -i "$deb" >/dev/null
  getent passwd tiltas >/dev/null || fail "install created no tiltas user"
  [ "$(stat -c '%a %U %G' /etc/tiltas/agent.toml)" = "640 root tiltas" ] || fail "agent.toml is $(stat -c '%a %U %G' /etc/tiltas/agent.toml), want 640 root tiltas"
  [ "$(stat -c '%U' /var/lib/tiltas-agent)" = tiltas ] || fail "/var/lib/tiltas-agent is not owned by tiltas"
  ver=$(/usr/bin/tiltas-agent version) || fail "installed binary does not run"
  grep -q tiltas-agent <<<"$ver" || fail "installed binary prints no version: $ver"
  out=$(/usr/bin/tiltas-agent doctor --config /etc/tiltas/agent.toml 2>&1 || true)
  grep -q "FAIL" <<<"$out" || fail "doctor passed on the sample config's placeholders:
$out"
  dpkg --purge tiltas-agent >/dev/null
  [ ! -e /usr/bin/tiltas-agent ] && [ ! -e /etc/tiltas/agent.toml ] && [ ! -e /var/lib/tiltas-agent ] || fail "purge left files behind"
  ! getent passwd tiltas >/dev/null || fail "purge left the tiltas user"
  ok "installed, checked (user, 0640 config, data dir, doctor) and purged $deb"
fi
echo "dist-check: all good"
