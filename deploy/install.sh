#!/bin/bash
# Install, update and roll back the terminal on a Debian 12 machine. Idempotent: run it again
# and it changes only what is missing or different.
#
#   deploy/install.sh [install] [--wheel FILE] [--wheelhouse DIR] [--version V] [--self-test]
#                                                               install or update (as root)
#   deploy/install.sh rollback                                  back to the previous release
#   deploy/install.sh status                                    releases, current, previous
#   deploy/install.sh packages                                  only step 1 (image builds)
#
# What `install` does, in order:
#   1. apt packages the terminal runs on (X server, CUPS with cups-pdf, fonts, Qt's libraries);
#   2. the `kiosk` system user, in the groups dialout (card reader, serial scanner), video
#      (camera) and lp (USB receipt printer, CUPS);
#   3. /opt/kiosk/releases/<version>: a venv with the dependencies of deploy/requirements.lock
#      (hashes required, no resolver: exactly the lock; with --wheelhouse DIR from the files in
#      DIR alone, no package index: closed networks, image builds, signed updates that carry
#      their dependencies) and the project's wheel, plus this
#      deploy/ folder; a wheel that carries its own deploy/ (share/gov-kiosk/deploy in its
#      data, as the project's build puts it) brings its own lock and deploy/ instead; then
#      `current` points at it and `previous` at the release it replaces.
#      An existing complete release of the same version is kept as it is;
#   4. /etc/kiosk/kiosk.toml from deploy/kiosk.toml.template when there is none (never
#      overwritten), /var/lib/kiosk and /var/log/kiosk for the kiosk user;
#   5. udev rules with stable /dev/kiosk-* links from /etc/kiosk/devices.table or
#      deploy/udev/devices.table, then udevadm reload and trigger;
#   6. the A4 CUPS queue named in kiosk.toml ([devices.document_printer] queue) with
#      KIOSK_A4_URI (default: cups-pdf:/) and KIOSK_A4_MODEL (default: cups-pdf's PPD), and
#      PreserveJobFiles No (no certificate kept in the spool);
#   7. the systemd units and the X server's kiosk settings; enable them (start with
#      `systemctl start kiosk`, or reboot).
#
# Environment (mostly for tests and image builds):
#   KIOSK_ROOT     install into this root instead of / (no daemon is touched then)
#   KIOSK_PREFIX   /opt/kiosk
#   KIOSK_PYTHON   python3 (Debian 12's 3.11)
#   KIOSK_SKIP_APT 1: do not run apt-get (packages installed by the image already)
#   KIOSK_A4_URI, KIOSK_A4_MODEL   the A4 queue's device URI and model (lpadmin -v / -m)
#   KIOSK_SYSTEMD  auto (default: the running system's systemd, never inside KIOSK_ROOT), yes, no:
#                  whether to restart a running kiosk.service onto the new release
#
# An update restarts a running kiosk.service on the new release. `systemctl restart` of a
# Type=notify unit returns only once the app sent READY=1 (its attract screen is up) or failed;
# if the new release does not get there, install.sh rolls back to the previous one by itself,
# restarts that, and exits 4. With --self-test, the new release's `kiosk update self-test` runs
# once it is current (and restarted); if it fails, the same rollback and exit 4. Any other
# failure exits 1 with the running release untouched. kiosk-update.service runs this for the
# signed updates the app pulled from the hall (`kiosk update apply-staged`).
set -euo pipefail

ROOT="${KIOSK_ROOT:-/}"
ROOT="${ROOT%/}"
PREFIX="${KIOSK_PREFIX:-/opt/kiosk}"
PYTHON="${KIOSK_PYTHON:-python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE="$(dirname "$HERE")"
USER_NAME=kiosk
SWITCHED=0
PIP_INDEX=()  # --wheelhouse DIR: --no-index --find-links DIR (no package index at all)
EXIT_ROLLED_BACK=4
GROUPS_NEEDED="dialout,video,lp"

APT_PACKAGES=(
    python3 python3-venv xserver-xorg-core xserver-xorg-input-libinput xserver-xorg-video-fbdev
    x11-xserver-utils xauth xinit x11-utils cups cups-client cups-bsd cups-ipp-utils
    printer-driver-cups-pdf libzbar0 libusb-1.0-0 fonts-noto-cjk fonts-wqy-microhei
    fonts-dejavu-core libgl1 libegl1 libglib2.0-0 libxkbcommon0 libfontconfig1 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
    libxcb-xkb1 libxkbcommon-x11-0 libxcb-randr0 libxcb-xinerama0
)

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }
rolled_back() { printf 'install.sh: error: %s\n' "$*" >&2; exit "$EXIT_ROLLED_BACK"; }
live() { [ -z "$ROOT" ]; }  # installing onto the running system (not into KIOSK_ROOT)
manages_service() {  # whether to restart kiosk.service here (see KIOSK_SYSTEMD)
    case "${KIOSK_SYSTEMD:-auto}" in
        yes) return 0 ;;
        no) return 1 ;;
        *) live && [ -d /run/systemd/system ] ;;
    esac
}

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }

releases_dir() { echo "$ROOT$PREFIX/releases"; }

# --- 1. packages -------------------------------------------------------------------------------

install_packages() {
    if [ "${KIOSK_SKIP_APT:-0}" = 1 ]; then
        say "apt: skipped (KIOSK_SKIP_APT=1)"
        return
    fi
    local missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$p")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        say "apt: all ${#APT_PACKAGES[@]} packages present"
        return
    fi
    say "apt: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# --- 2. user and groups ------------------------------------------------------------------------

has_user() { grep -q "^$1:" "$ROOT/etc/passwd" 2>/dev/null; }
in_group() { grep -Eq "^$1:[^:]*:[^:]*:(.*,)?$2(,.*)?$" "$ROOT/etc/group" 2>/dev/null; }

ensure_user() {
    local root_args=()
    live || root_args=(--root "$ROOT")
    if has_user "$USER_NAME"; then
        say "user: $USER_NAME exists"
    else
        say "user: creating $USER_NAME"
        useradd "${root_args[@]}" --system --user-group --home-dir /var/lib/kiosk \
            --shell /usr/sbin/nologin --comment "self-service terminal" "$USER_NAME"
    fi
    local group missing=()
    for group in ${GROUPS_NEEDED//,/ }; do
        in_group "$group" "$USER_NAME" || missing+=("$group")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        local joined="${missing[*]}"
        say "user: adding $USER_NAME to ${joined// /,}"
        usermod "${root_args[@]}" --append --groups "${joined// /,}" "$USER_NAME"
    fi
}

# --- 3. the release ----------------------------------------------------------------------------

project_version() {
    "$PYTHON" - "$SOURCE/pyproject.toml" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    print(tomllib.load(f)["project"]["version"])
PY
}

build_wheel() {  # build_wheel VENV_PYTHON OUT: Debian's python3 has no pip, the venv has
    local python="$1" out="$2"
    # The screen's translations ship compiled (.qm, git-ignored): build them from the .ts
    # sources with the venv's own lrelease, so a fresh clone makes a complete wheel.
    local lrelease
    lrelease="$(dirname "$python")/pyside6-lrelease"
    if [ -x "$lrelease" ]; then
        for ts in "$SOURCE"/kiosk/ui/i18n/*.ts; do
            [ -e "$ts" ] && "$lrelease" -silent "$ts" -qm "${ts%.ts}.qm" >&2
        done
    fi
    say "release: building the project's wheel" >&2
    "$python" -m pip wheel --quiet --disable-pip-version-check --no-deps "${PIP_INDEX[@]}" \
        --wheel-dir "$out" "$SOURCE" >&2
    ls "$out"/*.whl
}

wheel_deploy() {  # wheel_deploy WHEEL DIR: extract the wheel's share/gov-kiosk/deploy into DIR
    "$PYTHON" - "$1" "$2" <<'PY'
import sys, zipfile
from pathlib import Path, PurePosixPath
wheel, out = sys.argv[1], Path(sys.argv[2])
try:
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if "/data/share/gov-kiosk/deploy/" in n and ".data/" in n]
        lock = [n for n in names if n.endswith("/deploy/requirements.lock")]
        if not lock:
            sys.exit(1)
        prefix = lock[0][: -len("requirements.lock")]
        for name in names:
            rel = PurePosixPath(name[len(prefix):])
            if not name.startswith(prefix) or name.endswith("/") or ".." in rel.parts:
                continue
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(name))
            # zip keeps the mode in the high bits of external_attr; extract() drops it
            if (z.getinfo(name).external_attr >> 16) & 0o111 or rel.suffix == ".sh":
                target.chmod(0o755)
except (OSError, zipfile.BadZipFile):
    sys.exit(1)
PY
}

install_release() {
    local version="$1" wheel="$2"
    local rel
    rel="$(releases_dir)/$version"
    if [ -f "$rel/.complete" ]; then
        say "release: $version already installed"
    else
        say "release: installing $version into $PREFIX/releases/$version"
        # Built in place (a venv's scripts name its absolute path); `current` moves to it only
        # once it is complete, so a failed or interrupted install leaves the running one alone.
        rm -rf "$rel"
        mkdir -p "$rel"
        "$PYTHON" -m venv "$rel/venv"
        local pip=("$rel/venv/bin/python" -m pip --disable-pip-version-check --quiet)
        # A wheel carries its own deploy/ (its lock, units, this script) in its data: an update
        # gets the dependencies it was built with. Older wheels without it take this tree's.
        local deploy="$HERE"
        if [ -n "$wheel" ] && wheel_deploy "$wheel" "$rel/deploy"; then
            deploy="$rel/deploy"
            say "release: using the wheel's own deploy/ (requirements.lock)"
        else
            rm -rf "$rel/deploy"
        fi
        # Exactly the lock: hashes checked, no resolver. opencv-python (pulled by rapidocr)
        # is left out on purpose: its bundled Qt breaks PySide6; the headless build is in.
        "${pip[@]}" install --no-deps --require-hashes "${PIP_INDEX[@]}" \
            -r "$deploy/requirements.lock"
        if [ -z "$wheel" ]; then
            wheel="$(build_wheel "$rel/venv/bin/python" "$rel/wheel")"
        fi
        "${pip[@]}" install --no-deps "$wheel"
        rm -rf "$rel/wheel"
        [ "$deploy" = "$rel/deploy" ] || cp -a "$HERE" "$rel/deploy"
        echo "$version" >"$rel/VERSION"
        if ! live; then
            # Inside KIOSK_ROOT the scripts must name the path the target system sees.
            { grep -rlF "$ROOT$PREFIX" "$rel/venv/bin" "$rel/venv/pyvenv.cfg" 2>/dev/null || true; } \
                | xargs -r sed -i "s#$ROOT$PREFIX#$PREFIX#g"
        fi
        touch "$rel/.complete"
    fi
    switch_to "$version"
}

link_target() { readlink "$ROOT$PREFIX/$1" 2>/dev/null || true; }

set_link() {  # set_link NAME TARGET: atomic replace of $PREFIX/NAME
    ln -sfn "$2" "$ROOT$PREFIX/.$1.new"
    mv -Tf "$ROOT$PREFIX/.$1.new" "$ROOT$PREFIX/$1"
}

switch_to() {
    local version="$1" target="releases/$1" old
    old="$(link_target current)"
    if [ "$old" = "$target" ]; then
        say "release: current is $version"
    else
        [ -n "$old" ] && set_link previous "$old"
        set_link current "$target"
        SWITCHED=1
        say "release: current is now $version${old:+ (previous: ${old#releases/})}"
    fi
    mkdir -p "$ROOT/usr/local/bin"
    ln -sfn "$PREFIX/current/venv/bin/kiosk" "$ROOT/usr/local/bin/kiosk"
}

# --- 4. configuration and folders -------------------------------------------------------------

ensure_config() {
    install -d -m 0755 "$ROOT/etc/kiosk"
    if [ -e "$ROOT/etc/kiosk/kiosk.toml" ]; then
        say "config: /etc/kiosk/kiosk.toml kept"
    else
        install -m 0640 "$HERE/kiosk.toml.template" "$ROOT/etc/kiosk/kiosk.toml"
        say "config: wrote /etc/kiosk/kiosk.toml from the template: set terminal.id and hall.url"
    fi
    chown_kiosk root "$ROOT/etc/kiosk/kiosk.toml"
    install -d -m 0750 "$ROOT/var/lib/kiosk" "$ROOT/var/log/kiosk"
    chown_kiosk kiosk "$ROOT/var/lib/kiosk" "$ROOT/var/log/kiosk"
}

chown_kiosk() {  # chown_kiosk OWNER PATH...: OWNER:kiosk, by name inside KIOSK_ROOT
    local owner="$1"
    shift
    local uid gid
    gid="$(awk -F: -v n="$USER_NAME" '$1 == n {print $3}' "$ROOT/etc/group" 2>/dev/null)"
    if [ "$owner" = root ]; then
        uid=0
    else
        uid="$(awk -F: -v n="$USER_NAME" '$1 == n {print $3}' "$ROOT/etc/passwd" 2>/dev/null)"
    fi
    if [ -n "$uid" ] && [ -n "$gid" ]; then
        chown "$uid:$gid" "$@"
    fi
}

# --- 5. udev -------------------------------------------------------------------------------------

udev_rules() {  # the rules for a devices table on stdin
    echo "# Written by deploy/install.sh from the devices table; edit the table, not this file."
    local link vendor product
    while read -r link vendor product _; do
        case "$link" in ''|'#'*) continue ;; esac
        [[ "$vendor" =~ ^[0-9a-f]{4}$ && "$product" =~ ^[0-9a-f]{4}$ ]] \
            || die "devices table: '$link $vendor $product': vendor and product are 4 hex digits"
        local match="ATTRS{idVendor}==\"$vendor\", ATTRS{idProduct}==\"$product\""
        case "$link" in
            kiosk-card-reader|kiosk-scanner)
                echo "SUBSYSTEM==\"tty\", $match, SYMLINK+=\"$link\", GROUP=\"dialout\", MODE=\"0660\"" ;;
            kiosk-camera)
                echo "SUBSYSTEM==\"video4linux\", $match, ATTR{index}==\"0\", SYMLINK+=\"$link\", GROUP=\"video\", MODE=\"0660\"" ;;
            kiosk-receipt-printer)
                echo "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTR{idVendor}==\"$vendor\", ATTR{idProduct}==\"$product\", SYMLINK+=\"$link\", GROUP=\"lp\", MODE=\"0660\""
                echo "SUBSYSTEM==\"usbmisc\", KERNEL==\"lp[0-9]*\", $match, SYMLINK+=\"$link-lp\", GROUP=\"lp\", MODE=\"0660\"" ;;
            *) die "devices table: unknown link '$link' (kiosk-card-reader, kiosk-scanner, kiosk-camera, kiosk-receipt-printer)" ;;
        esac
    done
}

ensure_udev() {
    local table="$HERE/udev/devices.table"
    [ -f "$ROOT/etc/kiosk/devices.table" ] && table="$ROOT/etc/kiosk/devices.table"
    local rules="$ROOT/etc/udev/rules.d/70-kiosk.rules" fresh
    fresh="$(udev_rules <"$table")"
    mkdir -p "$(dirname "$rules")"
    if [ -f "$rules" ] && [ "$(cat "$rules")" = "$fresh" ]; then
        say "udev: rules unchanged"
        return
    fi
    printf '%s\n' "$fresh" >"$rules"
    say "udev: wrote /etc/udev/rules.d/70-kiosk.rules from ${table#"$ROOT"}"
    if live && command -v udevadm >/dev/null; then
        if udevadm control --reload 2>/dev/null; then
            udevadm trigger --action=add --subsystem-match=tty --subsystem-match=usb \
                --subsystem-match=usbmisc --subsystem-match=video4linux
        else
            say "udev: udevd not running here; the rules apply at the next boot"
        fi
    fi
}

# --- 6. CUPS -----------------------------------------------------------------------------------

config_value() {  # config_value SECTION.KEY DEFAULT: from /etc/kiosk/kiosk.toml
    "$PYTHON" - "$ROOT/etc/kiosk/kiosk.toml" "$1" "$2" <<'PY'
import sys, tomllib
path, dotted, default = sys.argv[1:]
try:
    with open(path, "rb") as f:
        node = tomllib.load(f)
    for part in dotted.split("."):
        node = node[part]
    print(node)
except (OSError, KeyError, tomllib.TOMLDecodeError):
    print(default)
PY
}

scheduler_running() { lpstat -r 2>/dev/null | grep -q "scheduler is running"; }

ensure_cups() {
    local driver queue
    driver="$(config_value devices.document_printer.driver cups)"
    queue="$(config_value devices.document_printer.queue PDF)"
    if [ "$driver" != cups ]; then
        say "cups: document printer is '$driver': no queue to set up"
        return
    fi
    if ! live; then
        say "cups: queue $queue left to the first boot (KIOSK_ROOT install)"
        return
    fi
    command -v lpadmin >/dev/null || die "cups: lpadmin missing (apt-get install cups)"
    # `lpstat -r` exits 0 either way: its words tell.
    if ! scheduler_running; then
        if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
            systemctl enable --now cups.service
        else
            cupsd  # a chroot or container without systemd
        fi
        local tries=0
        until scheduler_running; do
            tries=$((tries + 1))
            [ "$tries" -le 100 ] || die "cups: the scheduler did not start within 10 s"
            sleep 0.1
        done
    fi
    local uri="${KIOSK_A4_URI:-cups-pdf:/}"
    local model="${KIOSK_A4_MODEL:-}"
    if [ -z "$model" ]; then
        model="$( (lpinfo -m 2>/dev/null || true) | awk 'tolower($0) ~ /cups-pdf/ {print $1; exit}')"
        model="${model:-everywhere}"
    fi
    lpadmin -p "$queue" -E -v "$uri" -m "$model" -o printer-error-policy=abort-job
    cupsenable "$queue"
    cupsaccept "$queue"
    # No certificate kept in the spool after its job (the doctor checks this too).
    cupsctl PreserveJobFiles=No
    say "cups: queue $queue -> $uri ($model), PreserveJobFiles No"
}

# --- 7. systemd and X ----------------------------------------------------------------------------

ensure_units() {
    local dir="$ROOT/etc/systemd/system" changed=0 unit
    mkdir -p "$dir" "$ROOT/etc/X11/xorg.conf.d"
    for unit in "$HERE"/systemd/*.service "$HERE"/systemd/*.path; do
        if ! cmp -s "$unit" "$dir/$(basename "$unit")"; then
            install -m 0644 "$unit" "$dir/"
            changed=1
        fi
    done
    if ! cmp -s "$HERE/x11/10-kiosk.conf" "$ROOT/etc/X11/xorg.conf.d/10-kiosk.conf"; then
        install -m 0644 "$HERE/x11/10-kiosk.conf" "$ROOT/etc/X11/xorg.conf.d/10-kiosk.conf"
    fi
    if live; then
        if [ -d /run/systemd/system ]; then
            [ "$changed" = 1 ] && systemctl daemon-reload
            systemctl enable kiosk-xorg.service kiosk.service kiosk-update.path
        else
            systemctl enable kiosk-xorg.service kiosk.service kiosk-update.path 2>/dev/null \
                || say "systemd: not running here; units installed, enable them on the target"
        fi
    else
        systemctl --root="$ROOT" enable kiosk-xorg.service kiosk.service kiosk-update.path
    fi
    say "systemd: units installed and enabled${changed:+}"
}

# --- commands ----------------------------------------------------------------------------------

cmd_install() {
    local wheel="" version="" self_test=0
    while [ $# -gt 0 ]; do
        case "$1" in
            --wheel) wheel="$(realpath "$2")"; shift 2 ;;
            --wheelhouse)
                [ -d "$2" ] || die "--wheelhouse $2: no such folder"
                PIP_INDEX=(--no-index --find-links "$(realpath "$2")"); shift 2 ;;
            --version) version="$2"; shift 2 ;;
            --self-test) self_test=1; shift ;;
            -h|--help) usage; exit 0 ;;
            *) die "unknown option $1" ;;
        esac
    done
    if live && [ "$(id -u)" != 0 ]; then
        die "run as root (or set KIOSK_ROOT to install into a folder)"
    fi
    [ -f "$HERE/requirements.lock" ] || die "deploy/requirements.lock missing"
    if [ -z "$version" ]; then
        if [ -n "$wheel" ]; then
            version="$(basename "$wheel" | cut -d- -f2)"
        else
            version="$(project_version)"
        fi
    fi
    [[ "$version" =~ ^[0-9A-Za-z.+_-]+$ ]] || die "bad version '$version'"
    install_packages
    ensure_user
    mkdir -p "$(releases_dir)"
    install_release "$version" "$wheel"
    ensure_config
    ensure_udev
    ensure_cups
    ensure_units
    if [ "$SWITCHED" = 1 ] && manages_service && systemctl is-active -q kiosk.service; then
        if systemctl restart kiosk.service; then
            say "restarted kiosk.service on $version (READY)"
        else
            say "kiosk.service did not reach READY on $version: rolling back"
            cmd_rollback
            rolled_back "update to $version failed; running $(link_target current) again:" \
                "it did not reach READY"
        fi
    fi
    if [ "$SWITCHED" = 1 ] && [ "$self_test" = 1 ]; then
        # The new release checks itself from its own venv: configuration, store, catalog,
        # identity, its modules and Qt (kiosk/commands/update.py).
        # As the kiosk user on a live system: a store opened as root could leave root-owned
        # WAL files the app cannot write.
        local report as_kiosk=()
        if live && [ "$(id -u)" = 0 ] && has_user "$USER_NAME" && command -v runuser >/dev/null; then
            as_kiosk=(runuser -u "$USER_NAME" --)
        fi
        if report="$("${as_kiosk[@]}" "$ROOT$PREFIX/current/venv/bin/kiosk" \
            --config "$ROOT/etc/kiosk/kiosk.toml" update self-test 2>&1)"; then
            say "self-test of $version passed"
        else
            printf '%s\n' "$report" | sed 's/^/install.sh: self-test: /'
            say "the self-test of $version failed: rolling back"
            cmd_rollback
            rolled_back "update to $version failed; running $(link_target current) again:" \
                "its self-test failed ($(printf '%s' "$report" | grep -m1 'FAIL' | cut -c1-120))"
        fi
    fi
    say "done: $PREFIX/current -> $(link_target current)"
}

cmd_rollback() {
    local current previous
    current="$(link_target current)"
    previous="$(link_target previous)"
    [ -n "$previous" ] || die "no previous release to roll back to"
    [ -f "$ROOT$PREFIX/$previous/.complete" ] || die "previous release $previous is incomplete"
    set_link current "$previous"
    [ -n "$current" ] && set_link previous "$current"
    say "rolled back: current is ${previous#releases/} (previous: ${current#releases/})"
    if manages_service; then
        systemctl restart kiosk.service || die "kiosk.service did not start on ${previous#releases/}"
    fi
}

cmd_status() {
    echo "current:  $(link_target current)"
    echo "previous: $(link_target previous)"
    echo "releases:"
    ls -1 "$(releases_dir)" 2>/dev/null | sed 's/^/  /'
}

command="${1:-install}"
case "$command" in
    install) shift || true; cmd_install "$@" ;;
    rollback) cmd_rollback ;;
    status) cmd_status ;;
    packages) install_packages ;;
    -h|--help|help) usage ;;
    --*) cmd_install "$@" ;;
    *) die "unknown command $command (install, rollback, status, packages)" ;;
esac
