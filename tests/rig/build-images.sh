#!/usr/bin/env bash
# Builds the stand-in images into the rig engine when their inputs changed, then writes images.json,
# images-root.json and images-versions.json (the backend versions for update tests).
#
# Route (see platform-notes "Building stand-in images without a registry"): the host's apt resolves the
# dependency closure of images/base/packages.txt against an empty dpkg status, using only the machine's
# Debian sources; every .deb is unpacked into one merged-/usr root; the few maintainer-script effects the
# images need are replayed by hand; the root is imported once as medianest-rig/base:<hash>; each service
# image is a small Dockerfile on top of it (its scripts plus metadata).
#
# Cache: tags carry a hash of their inputs. base:<hash of packages + this script>, <service>:<hash of
# everything under tests/rig>. When every tag for the current hashes exists, nothing is built.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGES_SRC="$RIG_DIR/images"
BUILD="$RIG_HOME/build"
APTDIR="$RIG_HOME/apt" # kept between runs: lists and downloaded .debs make a rebuild warm
BUILD_LOG="$RIG_HOME/build.log"

# Each service name MediaNest uses -> the image folder of its stand-in.
declare -A SERVICE_IMAGE=(
  [postgres]=postgres [redis]=redis [migrate]=backend [backend]=backend [frontend]=frontend
  [nginx]=nginx [certbot]=certbot [prometheus]=prometheus [grafana]=grafana [pgadmin]=pgadmin
  [redis-commander]=redis-commander [mailhog]=mailhog
)
IMAGE_NAMES=(postgres redis backend frontend nginx certbot prometheus grafana pgadmin redis-commander mailhog
  backend-root frontend-root)
# Variants shaped like images built from MediaNest's root Dockerfile (R2): the same folder, its
# Dockerfile.root. images-root.json names them for backend, migrate and frontend.
declare -A VARIANT_OF=([backend-root]=backend [frontend-root]=frontend)
# Backend versions for update tests (README "Backend versions"), each `backend-<version>:<hash>`;
# images-versions.json maps version -> image. v1 is the backend image itself (a second tag); the
# others are built from images/backend with the overlays images/backend/versions/<overlay>/ laid
# over it, in order, and VERSION (the org.opencontainers.image.version label) set.
BACKEND_VERSIONS=(v1 v2 v2-broken v2-badmigration)
declare -A VERSION_OVERLAYS=([v2]="v2" [v2-broken]="v2 v2-broken" [v2-badmigration]="v2 v2-badmigration")
VERSION_IMAGES=()
for v in "${BACKEND_VERSIONS[@]}"; do VERSION_IMAGES+=("backend-$v"); done

# ---------------------------------------------------------------- hashes and tags

hash_inputs() { # paths relative to tests/rig
  (cd "$RIG_DIR" && find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-64
}
BASE_HASH="$(hash_inputs build-images.sh images/base)"
ALL_HASH="$(hash_inputs build-images.sh lib.sh images)"
BASE_TAG="medianest-rig/base:${BASE_HASH:0:12}"
tag_of() { printf 'medianest-rig/%s:%s' "$1" "${ALL_HASH:0:12}"; }

all_tags_present() {
  local tags=() n
  for n in "${IMAGE_NAMES[@]}" "${VERSION_IMAGES[@]}"; do tags+=("$(tag_of "$n")"); done
  rdocker image inspect "${tags[@]}" >/dev/null 2>&1
}

write_images_file() {
  local tmp="$RIG_IMAGES_FILE.tmp" first=1 svc v
  {
    printf '{\n'
    for svc in postgres redis migrate backend frontend nginx certbot prometheus grafana pgadmin redis-commander mailhog; do
      ((first)) || printf ',\n'
      first=0
      printf '  "%s": "%s"' "$svc" "$(tag_of "${SERVICE_IMAGE[$svc]}")"
    done
    printf '\n}\n'
  } >"$tmp"
  mv -f "$tmp" "$RIG_IMAGES_FILE"
  sed -e "s|$(tag_of backend)|$(tag_of backend-root)|" -e "s|$(tag_of frontend)|$(tag_of frontend-root)|" \
    "$RIG_IMAGES_FILE" >"$RIG_IMAGES_ROOT_FILE.tmp"
  mv -f "$RIG_IMAGES_ROOT_FILE.tmp" "$RIG_IMAGES_ROOT_FILE"
  first=1
  {
    printf '{\n'
    for v in "${BACKEND_VERSIONS[@]}"; do
      ((first)) || printf ',\n'
      first=0
      printf '  "%s": "%s"' "$v" "$(tag_of "backend-$v")"
    done
    printf '\n}\n'
  } >"$RIG_IMAGES_VERSIONS_FILE.tmp"
  mv -f "$RIG_IMAGES_VERSIONS_FILE.tmp" "$RIG_IMAGES_VERSIONS_FILE"
}

# ---------------------------------------------------------------- apt, from the machine's Debian sources

APT_OPTS=(
  -o "Dir::Etc::sourcelist=$APTDIR/etc/sources.list"
  -o "Dir::Etc::sourceparts=$APTDIR/etc/sources.list.d"
  # the host may pin other origins (e.g. a third-party nodejs); the images take Debian's own
  -o "Dir::Etc::preferences=$APTDIR/etc/preferences"
  -o "Dir::Etc::preferencesparts=$APTDIR/etc/preferences.d"
  -o "Dir::State=$APTDIR/state"
  -o "Dir::State::lists=$APTDIR/state/lists"
  -o "Dir::State::status=$APTDIR/state/status"
  -o "Dir::Cache=$APTDIR/cache"
  -o "Dir::Cache::archives=$APTDIR/cache/archives"
  -o "APT::Install-Recommends=false"
  -o "APT::Install-Suggests=false"
  -o "APT::Get::AllowUnauthenticated=false"
)
apt_rig() { apt-get "${APT_OPTS[@]}" "$@"; }

# Copies the Debian entries of the host's apt sources (those signed by Debian's archive keyring, or
# one-line entries pointing at a debian archive), binary only. The mirror address comes from there.
write_apt_sources() {
  local parts="$APTDIR/etc/sources.list.d" list="$APTDIR/etc/sources.list" f
  mkdir -p "$parts" "$APTDIR/etc/preferences.d" "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial"
  : >"$APTDIR/etc/preferences"
  : >"$parts/debian.sources.new"
  : >"$list.new"
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         /Signed-By:[^\n]*debian-archive-keyring/ && !/\nEnabled: *[Nn]o/ {
           gsub(/Types:[^\n]*/, "Types: deb"); print }' "$f" >>"$parts/debian.sources.new"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    grep -E '^[[:space:]]*deb[[:space:]]' "$f" | grep -E 'debian-archive-keyring|://[^ ]*debian' >>"$list.new" || true
  done
  [[ -s "$parts/debian.sources.new" || -s "$list.new" ]] ||
    die "no Debian apt source found in /etc/apt/sources.list{,.d}"
  # a changed source set invalidates the lists
  if ! cmp -s "$parts/debian.sources.new" "$parts/debian.sources" || ! cmp -s "$list.new" "$list"; then
    rm -rf "$APTDIR/state/lists"
    mkdir -p "$APTDIR/state/lists/partial"
  fi
  mv -f "$parts/debian.sources.new" "$parts/debian.sources"
  mv -f "$list.new" "$list"
  [[ -f "$APTDIR/state/status" ]] || : >"$APTDIR/state/status" # empty: nothing is installed
}

apt_update_if_stale() {
  local stamp="$APTDIR/state/updated"
  if [[ -f "$stamp" && -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ]]; then return 0; fi
  log "apt: updating the rig's own package lists"
  apt_rig -q update >"$BUILD/apt-update.log" 2>&1 || {
    tail -20 "$BUILD/apt-update.log" >&2
    die "apt-get update failed (log: $BUILD/apt-update.log)"
  }
  touch "$stamp"
}

# Prints one .deb file name per package of the closure. Simulated "Inst" lines look like
# "Inst libc6 (2.36-9+deb12u10 Debian:12.10/stable [amd64])" and may end in " []".
resolve_closure() {
  local pkgs=("$@")
  apt_rig -s -q install "${pkgs[@]}" 2>"$BUILD/apt-resolve.err" |
    sed -nE 's/^Inst ([^ ]+) \(([^ ]+) .*\[([a-z0-9]+)\]\).*$/\1 \2 \3/p' |
    while read -r pkg ver arch; do
      printf '%s_%s_%s.deb\n' "$pkg" "${ver//:/%3a}" "$arch"
    done
}

# ---------------------------------------------------------------- the shared root

build_root() {
  local root="$BUILD/root" pkgs debs deb missing=()
  mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$IMAGES_SRC/base/packages.txt")

  write_apt_sources
  apt_update_if_stale
  mapfile -t debs < <(resolve_closure "${pkgs[@]}")
  if ((${#debs[@]} == 0)); then
    # lists older than the mirror's current versions: refresh once and retry
    rm -f "$APTDIR/state/updated"
    apt_update_if_stale
    mapfile -t debs < <(resolve_closure "${pkgs[@]}")
  fi
  ((${#debs[@]} > 0)) || { cat "$BUILD/apt-resolve.err" >&2; die "apt could not resolve the package closure"; }
  log "apt: ${#debs[@]} packages in the closure; downloading what is not cached"
  apt_rig -q -y --download-only install "${pkgs[@]}" >"$BUILD/apt-download.log" 2>&1 || {
    tail -20 "$BUILD/apt-download.log" >&2
    die "apt download failed (log: $BUILD/apt-download.log)"
  }
  for deb in "${debs[@]}"; do [[ -f "$APTDIR/cache/archives/$deb" ]] || missing+=("$deb"); done
  ((${#missing[@]} == 0)) || die "downloaded closure is missing: ${missing[*]}"

  # An interrupted chroot step could leave something mounted inside; never delete through a mount.
  if grep -q " $root" /proc/mounts; then die "something is mounted under $root; unmount it first"; fi
  rm -rf "$root"
  mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/usr/lib64"
  # merged /usr, as bookworm's debootstrap lays it out before unpacking
  ln -s usr/bin "$root/bin"
  ln -s usr/sbin "$root/sbin"
  ln -s usr/lib "$root/lib"
  ln -s usr/lib64 "$root/lib64"
  for deb in "${debs[@]}"; do
    dpkg-deb --fsys-tarfile "$APTDIR/cache/archives/$deb" | tar -x -C "$root" --keep-directory-symlink -f -
  done
  replay_maintainer_effects "$root"
  slim_root "$root"
  check_libraries "$root"
}

# What dpkg's maintainer scripts would have done that the images rely on.
replay_maintainer_effects() {
  local root="$1"
  # Users and groups. uids follow the official images the stand-ins replace, so a data folder moves
  # between a real image and its stand-in: postgres:*-alpine 70, redis 999, grafana 472, pgadmin 5050;
  # nginx (alpine) 101; MediaNest's own images 1001.
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
postgres:x:70:70:PostgreSQL administrator:/var/lib/postgresql:/bin/bash
nginx:x:101:101:nginx:/nonexistent:/usr/sbin/nologin
grafana:x:472:0:grafana:/usr/share/grafana:/usr/sbin/nologin
redis:x:999:999:redis:/data:/usr/sbin/nologin
mailhog:x:1000:1000:mailhog:/home/mailhog:/usr/sbin/nologin
medianest:x:1001:1001:medianest:/app:/usr/sbin/nologin
pgadmin:x:5050:5050:pgadmin:/var/lib/pgadmin:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
www-data:x:33:
postgres:x:70:
nginx:x:101:
ssl-cert:x:109:postgres
redis:x:999:
mailhog:x:1000:
medianest:x:1001:
pgadmin:x:5050:
nogroup:x:65534:
EOF
  sed -E 's/^([^:]+):.*/\1:*:19000:0:99999:7:::/' "$root/etc/passwd" >"$root/etc/shadow"
  chmod 0640 "$root/etc/shadow"

  # /var/run and /var/lock point into /run. Absolute links are not followed here from the host side:
  # every path below is written through "$root/run", never "$root/var/run".
  mkdir -p "$root/run/lock"
  [[ -L "$root/var/run" ]] || { rm -rf "$root/var/run"; ln -s /run "$root/var/run"; }
  [[ -L "$root/var/lock" ]] || { rm -rf "$root/var/lock"; ln -s /run/lock "$root/var/lock"; }
  mkdir -p "$root/tmp" "$root/var/tmp" "$root/root" "$root/dev" "$root/proc" "$root/sys"
  chmod 1777 "$root/tmp" "$root/var/tmp" "$root/run/lock"
  chmod 0700 "$root/root"

  # alternatives the images call by their generic name
  [[ -e "$root/usr/bin/awk" ]] || ln -s mawk "$root/usr/bin/awk"
  [[ -e "$root/usr/bin/which" || ! -e "$root/usr/bin/which.debianutils" ]] || ln -s which.debianutils "$root/usr/bin/which"
  ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
  echo "Etc/UTC" >"$root/etc/timezone"
  printf 'hosts: files dns\nnetworks: files\npasswd: files\ngroup: files\nshadow: files\n' >"$root/etc/nsswitch.conf"

  # Service folders, owned as the official images own them.
  install -d -o 70 -g 70 -m 0755 "$root/var/lib/postgresql"
  install -d -o 70 -g 70 -m 0777 "$root/var/lib/postgresql/data"
  install -d -o 70 -g 70 -m 3777 "$root/run/postgresql"
  install -d -o 70 -g 70 -m 0755 "$root/docker-entrypoint-initdb.d"
  install -d -o 999 -g 999 -m 0755 "$root/data"
  install -d -o 1001 -g 1001 -m 0755 "$root/app" "$root/app/backend" "$root/app/frontend"
  install -d -o 1001 -g 1001 -m 0755 "$root/app/backend/uploads" "$root/app/backend/logs" "$root/app/frontend/logs"
  install -d -m 0755 "$root/var/lib/nginx" "$root/var/log/nginx" "$root/var/www/certbot" \
    "$root/etc/nginx/ssl" "$root/etc/letsencrypt" "$root/var/log/letsencrypt" "$root/var/lib/letsencrypt"
  # like the official nginx image: logs go to the container's output unless a folder is mounted there
  ln -sf /dev/stdout "$root/var/log/nginx/access.log"
  ln -sf /dev/stderr "$root/var/log/nginx/error.log"
  install -d -o 65534 -g 65534 -m 0755 "$root/prometheus" "$root/etc/prometheus"
  install -d -o 472 -g 0 -m 0775 "$root/var/lib/grafana" "$root/usr/share/grafana"
  install -d -o 5050 -g 5050 -m 0755 "$root/var/lib/pgadmin"
  install -d -o 1000 -g 1000 -m 0755 "$root/home/mailhog"
  install -d -m 0755 "$root/backups" "$root/opt/standin"

  # ca-certificates' postinst writes /etc/ca-certificates.conf (every shipped certificate on) and builds
  # the bundle. Nothing here reaches the internet, but programs (certbot's requests) refuse to start
  # without a bundle, as they would not in the real images.
  (cd "$root/usr/share/ca-certificates" && find . -name '*.crt' | sed 's|^\./||' | LC_ALL=C sort) \
    >"$root/etc/ca-certificates.conf"
  chroot "$root" /usr/sbin/update-ca-certificates --fresh >/dev/null 2>&1 || log "warning: update-ca-certificates failed"
  [[ -s "$root/etc/ssl/certs/ca-certificates.crt" ]] || die "the root has no CA bundle (/etc/ssl/certs/ca-certificates.crt)"
  ldconfig -r "$root"
}

slim_root() {
  local root="$1"
  rm -rf "$root"/usr/share/{doc,man,info,lintian,linda,bug,locale} "$root"/var/cache/{apt,debconf}/* \
    "$root"/var/lib/apt/lists/* "$root"/var/log/{apt,dpkg.log}
  mkdir -p "$root/usr/share/locale"
  # PostgreSQL's JIT provider drags in LLVM and z3 (about 130 MB); without llvmjit.so the server just
  # runs with JIT unavailable, which changes nothing the stand-in is used for.
  rm -rf "$root"/usr/lib/postgresql/*/lib/llvmjit* "$root"/usr/lib/postgresql/*/lib/bitcode \
    "$root"/usr/lib/x86_64-linux-gnu/libLLVM-* "$root"/usr/lib/x86_64-linux-gnu/libz3.so*
}

# Every binary the images run must resolve its libraries inside the root. `ldd` is a bash script and
# may be absent, so ask the root's own dynamic loader, inside a chroot so nothing leaks from the host.
check_libraries() {
  local root="$1" bin out bad=() ldso=/lib64/ld-linux-x86-64.so.2
  local bins=(
    /usr/bin/bash /usr/bin/dash /usr/bin/env /usr/bin/setpriv /usr/bin/tini /usr/bin/curl /usr/bin/openssl
    /usr/bin/node /usr/bin/redis-server /usr/bin/redis-cli /usr/sbin/nginx /usr/bin/find /usr/bin/tar
    /usr/bin/gzip /usr/bin/sha256sum /usr/bin/id /usr/bin/ps /usr/bin/prometheus /usr/bin/python3.11
  )
  while IFS= read -r bin; do bins+=("${bin#"$root"}"); done < <(
    find "$root/usr/lib/postgresql" -type f \( -path '*/bin/*' -o -name '*.so' \) -perm -u+r
  )
  for bin in "${bins[@]}"; do
    [[ -e "$root$bin" ]] || { bad+=("$bin (absent)"); continue; }
    out="$(chroot "$root" /usr/bin/env LD_TRACE_LOADED_OBJECTS=1 "$ldso" "$bin" 2>&1)" || true
    if grep -q 'not found' <<<"$out"; then bad+=("$bin: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"); fi
  done
  if ((${#bad[@]})); then
    printf '  %s\n' "${bad[@]}" >&2
    die "library check failed: add the missing packages to images/base/packages.txt"
  fi
  log "library check: ${#bins[@]} binaries resolve inside the root"
}

import_base() {
  log "importing the shared root as $BASE_TAG"
  tar -C "$BUILD/root" --one-file-system --numeric-owner -c . |
    rdocker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$BASE_TAG" >/dev/null
}

# ---------------------------------------------------------------- service images

# A staging copy gives every file a known mode (git checkouts differ) and adds the shared helpers.
# A backend version's context is images/backend with its overlays copied over it.
stage_context() {
  local name="$1" ctx="$BUILD/ctx/$1" overlay
  rm -rf "$ctx"
  mkdir -p "$ctx"
  if [[ "$name" == backend-v* ]]; then
    cp -R "$IMAGES_SRC/backend/." "$ctx/"
    for overlay in ${VERSION_OVERLAYS[${name#backend-}]:-}; do
      cp -R "$IMAGES_SRC/backend/versions/$overlay/." "$ctx/"
    done
  else
    cp -R "$IMAGES_SRC/${VARIANT_OF[$name]:-$name}/." "$ctx/"
  fi
  rm -rf "$ctx/versions"
  [[ -d "$IMAGES_SRC/common" ]] && cp -R "$IMAGES_SRC/common" "$ctx/common"
  find "$ctx" -type d -exec chmod 0755 {} +
  find "$ctx" -type f -exec chmod 0644 {} +
  find "$ctx" -type f \( -name '*.sh' -o -path '*/bin/*' \) -exec chmod 0755 {} +
  printf '%s\n' "$ctx"
}

build_service() {
  local name="$1" ctx version=()
  ctx="$(stage_context "$name")"
  [[ "$name" == backend-v* ]] && version=(--build-arg "VERSION=${name#backend-}")
  DOCKER_BUILDKIT=0 rdocker build -q \
    --build-arg "BASE=$BASE_TAG" "${version[@]}" \
    --label "org.medianest.rig.image=$name" \
    --label "org.medianest.rig.hash=${ALL_HASH:0:12}" \
    -f "$ctx/$([[ -n "${VARIANT_OF[$name]:-}" ]] && echo Dockerfile.root || echo Dockerfile)" \
    -t "$(tag_of "$name")" "$ctx" >"$BUILD/build-$name.log" 2>&1 || {
    cat "$BUILD/build-$name.log" >&2
    return 1
  }
}

# The backend, then its versions: v1 is the backend image under a second tag; v2 next, so that
# v2-broken (v2's migrations) and v2-badmigration (v2's and one more) find the layers they share
# with it in the build cache. Each differs from the backend only in its last, tiny layers.
build_backend_and_versions() {
  local t0 pids=() p failed=0
  build_service backend || return 1
  t0=$(date +%s.%N)
  rdocker tag "$(tag_of backend)" "$(tag_of backend-v1)"
  build_service backend-v2 || return 1
  build_service backend-v2-broken &
  pids+=($!)
  build_service backend-v2-badmigration &
  pids+=($!)
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  ((failed == 0)) || return 1
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' >"$BUILD/versions.seconds"
}

# Old tags of earlier input hashes only take space; an image a container still uses stays.
prune_old_images() {
  local keep ref
  keep=" $BASE_TAG "
  for n in "${IMAGE_NAMES[@]}" "${VERSION_IMAGES[@]}"; do keep+=" $(tag_of "$n") "; done
  rdocker image ls --format '{{.Repository}}:{{.Tag}}' 'medianest-rig/*' | while read -r ref; do
    [[ "$keep" == *" $ref "* ]] || rdocker image rm "$ref" >/dev/null 2>&1 || true
  done
}

report_sizes() {
  rdocker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'medianest-rig/*' | sort | sed 's/^/[rig]   /' >&2
  rdocker system df --format '{{.Type}} {{.Size}}' 2>/dev/null | sed -n '1p' | sed 's/^/[rig] engine: /' >&2 || true
}

main() {
  mkdir -p "$RIG_HOME" "$BUILD"
  if all_tags_present; then
    write_images_file
    return 0
  fi
  local t0 t1 t2
  t0=$(date +%s.%N)
  if ! rdocker image inspect "$BASE_TAG" >/dev/null 2>&1; then
    build_root
    import_base
  else
    log "base image $BASE_TAG present"
  fi
  t1=$(date +%s.%N)
  local pids=() n failed=0
  rm -f "$BUILD/versions.seconds"
  for n in "${IMAGE_NAMES[@]}"; do
    if [[ "$n" == backend ]]; then build_backend_and_versions & else build_service "$n" & fi
    pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n" || failed=1; done
  ((failed == 0)) || die "a stand-in image failed to build (logs: $BUILD/build-*.log)"
  t2=$(date +%s.%N)
  prune_old_images
  write_images_file
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$(date -Is)" -v h="${ALL_HASH:0:12}" \
    -v v="$(cat "$BUILD/versions.seconds" 2>/dev/null || echo '?')" \
    'BEGIN { printf "%s build: base %.1fs, services %.1fs (backend versions %ss after the backend), total %.1fs (hash %s)\n", d, b - a, c - b, v, c - a, h }' |
    tee -a "$BUILD_LOG" | sed 's/^/[rig] /' >&2
  report_sizes
}

main "$@"
