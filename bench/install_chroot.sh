#!/bin/bash
# The real install on a clean Debian 12: debootstrap a minimal bookworm chroot, run
# deploy/install.sh in it (apt, the kiosk user, the release venv from the hashed lock, udev rules,
# the A4 CUPS queue, the units), run `kiosk doctor` from the installed copy as the kiosk user,
# then install a second version side by side and roll back, then install a third from a
# wheelhouse with no package index at all (what a release published with --wheelhouse does on a
# closed network). Prints the time of each phase.
#
#   sudo bench/install_chroot.sh            (make bench-install)
#
# Root, network to the Debian and Python package mirrors, about 2 GB of disk and several minutes
# (most of it apt and pip). Not part of the test run: tests/integration/test_install_script.py
# runs the same script against a temporary root with the system's commands faked.
#
# The chroot's cupsd listens on its own Unix socket only, so it never meets the host's on
# port 631; the chroot's daemons (cupsd) are stopped at the end by the ids of processes whose
# root is the chroot.
set -euo pipefail

CHROOT="${KIOSK_CHROOT:-/var/tmp/kiosk-bench-chroot}"
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ "$(id -u)" = 0 ] || { echo "install_chroot: run as root" >&2; exit 1; }

phase_start=$(date +%s)
phase() {
    local now
    now=$(date +%s)
    printf 'install_chroot: %-34s %4d s\n' "$1" $((now - phase_start))
    phase_start=$now
}

# The host's own Debian mirror (from its apt sources), so the chroot uses what the host uses.
mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
[ -n "$mirror" ] || mirror="$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
[ -n "$mirror" ] || { echo "install_chroot: no Debian mirror in the host's apt sources" >&2; exit 1; }

if ! command -v debootstrap >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
fi

cleanup() {
    local p
    for p in /proc/[0-9]*; do
        if [ "$(readlink "$p/root" 2>/dev/null)" = "$CHROOT" ]; then
            kill "${p#/proc/}" 2>/dev/null || true
        fi
    done
    for m in "${mounted[@]}"; do
        mountpoint -q "$CHROOT$m" && umount -l "$CHROOT$m"
    done
    for m in dev/pts dev proc sys; do
        mountpoint -q "$CHROOT/$m" && umount -l "$CHROOT/$m"
    done
    return 0
}
mounted=()
trap cleanup EXIT

if [ ! -x "$CHROOT/usr/bin/python3" ]; then
    rm -rf "$CHROOT"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates,udev,systemd \
        bookworm "$CHROOT" "$mirror" >/var/tmp/kiosk-bench-debootstrap.log 2>&1 \
        || { tail -20 /var/tmp/kiosk-bench-debootstrap.log; exit 1; }
    phase "debootstrap (minbase bookworm)"
fi
mount --bind /proc "$CHROOT/proc"
mount --bind /sys "$CHROOT/sys"
mount --bind /dev "$CHROOT/dev"
mount --bind /dev/pts "$CHROOT/dev/pts"
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
# No daemon starts from a package's postinst inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$CHROOT/usr/sbin/policy-rc.d"
chmod +x "$CHROOT/usr/sbin/policy-rc.d"

rm -rf "$CHROOT/root/src"
mkdir -p "$CHROOT/root/src"
if git -C "$SRC" rev-parse HEAD >/dev/null 2>&1; then
    git -C "$SRC" archive HEAD | tar -x -C "$CHROOT/root/src"
else
    cp -a "$SRC/." "$CHROOT/root/src/"
fi
# pip inside uses the host's own pip set-up: its configuration files, its CA bundle (a proxy's CA
# may be in it), its PIP_* variables, and any local package folders that configuration names.
cp /etc/ssl/certs/ca-certificates.crt "$CHROOT/etc/ssl/certs/ca-certificates.crt"
for conf in /etc/pip.conf /etc/xdg/pip /root/.config/pip /root/.pip; do
    if [ -e "$conf" ]; then
        mkdir -p "$CHROOT$(dirname "$conf")"
        cp -a "$conf" "$CHROOT$(dirname "$conf")/"
    fi
done
pip_dirs="$( (cat /etc/pip.conf /etc/xdg/pip/* /root/.config/pip/* /root/.pip/* 2>/dev/null;
    env | grep '^PIP_') | grep -o '\(file://\)\?/[^ ]*' | sed 's#^file://##; s#/simple/*$##' | sort -u)"
for dir in $pip_dirs; do
    if [ -d "$dir" ] && [ "${dir#/opt/kiosk}" = "$dir" ]; then
        mkdir -p "$CHROOT$dir"
        mountpoint -q "$CHROOT$dir" || mount --bind -o ro "$dir" "$CHROOT$dir"
        mounted+=("$dir")
    fi
done
pip_env=()
while IFS= read -r line; do pip_env+=("$line"); done < <(env | grep -E '^PIP_[A-Z_]+=' || true)
in_chroot() {
    chroot "$CHROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 CUPS_SERVER=/run/cups/cups.sock "${pip_env[@]}" "$@"
}

in_chroot bash /root/src/deploy/install.sh packages >/var/tmp/kiosk-bench-apt.log 2>&1 \
    || { tail -20 /var/tmp/kiosk-bench-apt.log; exit 1; }
phase "apt packages"
# The chroot's cupsd on its own socket only (the host's has port 631), and the chroot's clients
# on that socket only (CUPS_SERVER above): without it they fall back to localhost:631, the host's.
sed -i -E 's/^(Listen|Port) .*$//' "$CHROOT/etc/cups/cupsd.conf"
echo "Listen /run/cups/cups.sock" >>"$CHROOT/etc/cups/cupsd.conf"
mkdir -p "$CHROOT/run/cups"

in_chroot bash /root/src/deploy/install.sh install
phase "install.sh install (first)"
in_chroot bash /root/src/deploy/install.sh install | tail -3
phase "install.sh install (again: idempotent)"

# kiosk doctor from the installed copy, as the kiosk user, offscreen.
set +e
in_chroot runuser -u kiosk -- env QT_QPA_PLATFORM=offscreen HOME=/var/lib/kiosk \
    /usr/local/bin/kiosk --config /etc/kiosk/kiosk.toml doctor
echo "install_chroot: kiosk doctor exited $? (1: the template's devices are absent here)"
set -e
phase "kiosk doctor"

# An update side by side, then the rollback.
in_chroot bash /root/src/deploy/install.sh install --version 0.1.1-bench | tail -2
in_chroot bash /root/src/deploy/install.sh status
in_chroot bash /root/src/deploy/install.sh rollback
in_chroot bash /root/src/deploy/install.sh status
in_chroot /opt/kiosk/current/venv/bin/kiosk --help >/dev/null
phase "update side by side and rollback"
in_chroot lpstat -v || true

# A closed network: the release's dependencies from a wheelhouse alone. The wheelhouse is made
# the way the README says a hall's publisher makes it (pip download of the lock, plus the build
# tools of its sdists); then install.sh runs with pip's configuration files and PIP_* variables
# gone and the index pointed at a closed port, so nothing can come from anywhere else.
rm -rf "$CHROOT/root/wheelhouse" "$CHROOT/root/dist" "$CHROOT/root/src2"
cp -a "$CHROOT/root/src" "$CHROOT/root/src2"
sed -i -E 's/^version = "[^"]+"/version = "0.1.2"/' "$CHROOT/root/src2/pyproject.toml"
build=/opt/kiosk/current/venv/bin/python
in_chroot "$build" -m pip --disable-pip-version-check --quiet download --no-deps --require-hashes \
    -d /root/wheelhouse -r /root/src2/deploy/requirements.lock
in_chroot "$build" -m pip --disable-pip-version-check --quiet download -d /root/wheelhouse \
    setuptools wheel
in_chroot "$build" -m pip --disable-pip-version-check --quiet wheel --no-deps -w /root/dist \
    /root/src2
echo "install_chroot: wheelhouse $(ls "$CHROOT/root/wheelhouse" | wc -l) files," \
    "$(du -sm "$CHROOT/root/wheelhouse" | cut -f1) MB"
phase "wheelhouse and the 0.1.2 wheel"
chroot "$CHROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 CUPS_SERVER=/run/cups/cups.sock PIP_CONFIG_FILE=/dev/null \
    PIP_INDEX_URL=http://127.0.0.1:9/simple \
    bash /root/src2/deploy/install.sh install --wheel /root/dist/gov_kiosk-0.1.2-py3-none-any.whl \
    --wheelhouse /root/wheelhouse | tail -2
in_chroot /opt/kiosk/current/venv/bin/kiosk --help >/dev/null
in_chroot readlink /opt/kiosk/current
phase "install 0.1.2 from the wheelhouse alone"
